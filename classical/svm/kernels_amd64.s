//go:build !noasm && amd64

#include "textflag.h"

// Constants of the kernel row functions, four copies each (one YMM
// register).
#define CLAMP kc<>+0(SB)
#define LOG2E kc<>+32(SB)
#define LN2HI kc<>+64(SB)
#define LN2LO kc<>+96(SB)
#define C7 kc<>+128(SB)
#define C6 kc<>+160(SB)
#define C5 kc<>+192(SB)
#define C4 kc<>+224(SB)
#define C3 kc<>+256(SB)
#define C2 kc<>+288(SB)
#define ONE kc<>+320(SB)
#define MAGIC kc<>+352(SB)
#define D8 kc<>+384(SB)
#define D9 kc<>+416(SB)
#define D10 kc<>+448(SB)
#define TWO kc<>+480(SB)
#define NEGTWO kc<>+512(SB)
#define NEGHALF kc<>+544(SB)
#define ABS64 kc<>+576(SB)
#define SIGN64 kc<>+608(SB)
#define SIGN32 kc<>+640(SB)

// clamp = -700.0
DATA kc<>+0(SB)/8, $0xc085e00000000000
DATA kc<>+8(SB)/8, $0xc085e00000000000
DATA kc<>+16(SB)/8, $0xc085e00000000000
DATA kc<>+24(SB)/8, $0xc085e00000000000
// log2e = 1.4426950408889634
DATA kc<>+32(SB)/8, $0x3ff71547652b82fe
DATA kc<>+40(SB)/8, $0x3ff71547652b82fe
DATA kc<>+48(SB)/8, $0x3ff71547652b82fe
DATA kc<>+56(SB)/8, $0x3ff71547652b82fe
// ln2hi = 0.6931471803691238
DATA kc<>+64(SB)/8, $0x3fe62e42fee00000
DATA kc<>+72(SB)/8, $0x3fe62e42fee00000
DATA kc<>+80(SB)/8, $0x3fe62e42fee00000
DATA kc<>+88(SB)/8, $0x3fe62e42fee00000
// ln2lo = 1.9082146973659064e-10
DATA kc<>+96(SB)/8, $0x3dea39ef00000000
DATA kc<>+104(SB)/8, $0x3dea39ef00000000
DATA kc<>+112(SB)/8, $0x3dea39ef00000000
DATA kc<>+120(SB)/8, $0x3dea39ef00000000
// c7 = 0.0001984126984126984
DATA kc<>+128(SB)/8, $0x3f2a01a01a01a01a
DATA kc<>+136(SB)/8, $0x3f2a01a01a01a01a
DATA kc<>+144(SB)/8, $0x3f2a01a01a01a01a
DATA kc<>+152(SB)/8, $0x3f2a01a01a01a01a
// c6 = 0.001388888888888889
DATA kc<>+160(SB)/8, $0x3f56c16c16c16c17
DATA kc<>+168(SB)/8, $0x3f56c16c16c16c17
DATA kc<>+176(SB)/8, $0x3f56c16c16c16c17
DATA kc<>+184(SB)/8, $0x3f56c16c16c16c17
// c5 = 0.008333333333333333
DATA kc<>+192(SB)/8, $0x3f81111111111111
DATA kc<>+200(SB)/8, $0x3f81111111111111
DATA kc<>+208(SB)/8, $0x3f81111111111111
DATA kc<>+216(SB)/8, $0x3f81111111111111
// c4 = 0.041666666666666664
DATA kc<>+224(SB)/8, $0x3fa5555555555555
DATA kc<>+232(SB)/8, $0x3fa5555555555555
DATA kc<>+240(SB)/8, $0x3fa5555555555555
DATA kc<>+248(SB)/8, $0x3fa5555555555555
// c3 = 0.16666666666666666
DATA kc<>+256(SB)/8, $0x3fc5555555555555
DATA kc<>+264(SB)/8, $0x3fc5555555555555
DATA kc<>+272(SB)/8, $0x3fc5555555555555
DATA kc<>+280(SB)/8, $0x3fc5555555555555
// c2 = 0.5
DATA kc<>+288(SB)/8, $0x3fe0000000000000
DATA kc<>+296(SB)/8, $0x3fe0000000000000
DATA kc<>+304(SB)/8, $0x3fe0000000000000
DATA kc<>+312(SB)/8, $0x3fe0000000000000
// one = 1.0
DATA kc<>+320(SB)/8, $0x3ff0000000000000
DATA kc<>+328(SB)/8, $0x3ff0000000000000
DATA kc<>+336(SB)/8, $0x3ff0000000000000
DATA kc<>+344(SB)/8, $0x3ff0000000000000
// magic = 4503599627371519.0
DATA kc<>+352(SB)/8, $0x43300000000003ff
DATA kc<>+360(SB)/8, $0x43300000000003ff
DATA kc<>+368(SB)/8, $0x43300000000003ff
DATA kc<>+376(SB)/8, $0x43300000000003ff
// d8 = 2.48015873015873e-05
DATA kc<>+384(SB)/8, $0x3efa01a01a01a01a
DATA kc<>+392(SB)/8, $0x3efa01a01a01a01a
DATA kc<>+400(SB)/8, $0x3efa01a01a01a01a
DATA kc<>+408(SB)/8, $0x3efa01a01a01a01a
// d9 = 2.7557319223985893e-06
DATA kc<>+416(SB)/8, $0x3ec71de3a556c734
DATA kc<>+424(SB)/8, $0x3ec71de3a556c734
DATA kc<>+432(SB)/8, $0x3ec71de3a556c734
DATA kc<>+440(SB)/8, $0x3ec71de3a556c734
// d10 = 2.755731922398589e-07
DATA kc<>+448(SB)/8, $0x3e927e4fb7789f5c
DATA kc<>+456(SB)/8, $0x3e927e4fb7789f5c
DATA kc<>+464(SB)/8, $0x3e927e4fb7789f5c
DATA kc<>+472(SB)/8, $0x3e927e4fb7789f5c
// two = 2.0
DATA kc<>+480(SB)/8, $0x4000000000000000
DATA kc<>+488(SB)/8, $0x4000000000000000
DATA kc<>+496(SB)/8, $0x4000000000000000
DATA kc<>+504(SB)/8, $0x4000000000000000
// negtwo = -2.0
DATA kc<>+512(SB)/8, $0xc000000000000000
DATA kc<>+520(SB)/8, $0xc000000000000000
DATA kc<>+528(SB)/8, $0xc000000000000000
DATA kc<>+536(SB)/8, $0xc000000000000000
// negHalf = -0.5
DATA kc<>+544(SB)/8, $0xbfe0000000000000
DATA kc<>+552(SB)/8, $0xbfe0000000000000
DATA kc<>+560(SB)/8, $0xbfe0000000000000
DATA kc<>+568(SB)/8, $0xbfe0000000000000
// float64 magnitude bits, float64 sign bits, float32 sign bits
DATA kc<>+576(SB)/8, $0x7fffffffffffffff
DATA kc<>+584(SB)/8, $0x7fffffffffffffff
DATA kc<>+592(SB)/8, $0x7fffffffffffffff
DATA kc<>+600(SB)/8, $0x7fffffffffffffff
DATA kc<>+608(SB)/8, $0x8000000000000000
DATA kc<>+616(SB)/8, $0x8000000000000000
DATA kc<>+624(SB)/8, $0x8000000000000000
DATA kc<>+632(SB)/8, $0x8000000000000000
DATA kc<>+640(SB)/4, $0x80000000
DATA kc<>+644(SB)/4, $0x80000000
DATA kc<>+648(SB)/4, $0x80000000
DATA kc<>+652(SB)/4, $0x80000000
GLOBL kc<>(SB), RODATA|NOPTR, $656

// func rbfRowAVX2(dst []float32, dots, sq []float64, sqi, gamma float64)
//
// For j < len(dst) &^ 3: dst[j] = float32(exp(-gamma * max(sqi + sq[j] -
// 2 dots[j], 0))), a zero stored as -0 (the kernel cache's mark of a
// computed entry). exp(x), x clamped to >= -700, is 2ⁿ·e^h with n the
// nearest integer to x·log2e, h = x − n·ln2 (ln2 in two parts) and e^h by
// its degree-7 Taylor polynomial (|h| <= ln2/2: relative error < 6e-9,
// below float32's 6e-8). Needs AVX2 and FMA.
TEXT ·rbfRowAVX2(SB), NOSPLIT, $0-88
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         dots_base+24(FP), SI
	MOVQ         sq_base+48(FP), DX
	VBROADCASTSD sqi+72(FP), Y15
	VXORPD       Y13, Y13, Y13
	VBROADCASTSD gamma+80(FP), Y14
	VSUBPD       Y14, Y13, Y14 // -gamma
	SHRQ         $2, CX
	JZ           done

loop:
	VMOVUPD      (SI), Y0
	VADDPD       (DX), Y15, Y1 // sqi + sq
	VADDPD       Y0, Y0, Y0    // 2 dots
	VSUBPD       Y0, Y1, Y1    // squared distance
	VMAXPD       Y13, Y1, Y1   // >= 0
	VMULPD       Y14, Y1, Y1   // x = -gamma d²
	VMAXPD       CLAMP, Y1, Y1
	VMULPD       LOG2E, Y1, Y2
	VROUNDPD     $0, Y2, Y2    // n
	VFNMADD231PD LN2HI, Y2, Y1 // h = x - n ln2
	VFNMADD231PD LN2LO, Y2, Y1
	VMOVAPD      C7, Y3
	VFMADD213PD  C6, Y1, Y3
	VFMADD213PD  C5, Y1, Y3
	VFMADD213PD  C4, Y1, Y3
	VFMADD213PD  C3, Y1, Y3
	VFMADD213PD  C2, Y1, Y3
	VFMADD213PD  ONE, Y1, Y3
	VFMADD213PD  ONE, Y1, Y3   // e^h
	VADDPD       MAGIC, Y2, Y2 // low bits: n + 1023
	VPSLLQ       $52, Y2, Y2   // 2ⁿ
	VMULPD       Y2, Y3, Y3
	VCVTPD2PSY   Y3, X3
	VCMPPS       $0, X13, X3, X4
	VANDPS       SIGN32, X4, X4
	VORPS        X4, X3, X3    // 0 -> -0
	VMOVUPS      X3, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $16, DI
	DECQ         CX
	JNZ          loop

done:
	VZEROUPPER
	RET

// func tanhRowAVX2(dst []float32, dots []float64, gamma, coef0 float64)
//
// For j < len(dst) &^ 3: dst[j] = float32(tanh(gamma dots[j] + coef0)), a
// zero stored as -0. tanh x = −sign(x)·E/(2 + E) with E = expm1(−2|x|):
// for −2|x| > −0.5 by its degree-10 Taylor series (no cancellation near
// 0), else as exp(−2|x|) − 1 with exp as in rbfRowAVX2 (E <= −0.39, so the
// subtraction keeps the relative error near 1e-8). Needs AVX2 and FMA.
TEXT ·tanhRowAVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         dots_base+24(FP), SI
	VBROADCASTSD gamma+48(FP), Y15
	VBROADCASTSD coef0+56(FP), Y14
	VXORPD       Y13, Y13, Y13
	SHRQ         $2, CX
	JZ           tdone

tloop:
	VMOVUPD      (SI), Y0
	VFMADD213PD  Y14, Y15, Y0 // x = gamma dot + coef0
	VANDPD       SIGN64, Y0, Y12 // sign(x)
	VANDPD       ABS64, Y0, Y0
	VMULPD       NEGTWO, Y0, Y0  // h = −2|x|
	VMAXPD       CLAMP, Y0, Y0

	// Series: expm1(h) = h·Σ h^k/(k+1)!, k < 10.
	VMOVAPD     D10, Y1
	VFMADD213PD D9, Y0, Y1
	VFMADD213PD D8, Y0, Y1
	VFMADD213PD C7, Y0, Y1
	VFMADD213PD C6, Y0, Y1
	VFMADD213PD C5, Y0, Y1
	VFMADD213PD C4, Y0, Y1
	VFMADD213PD C3, Y0, Y1
	VFMADD213PD C2, Y0, Y1
	VFMADD213PD ONE, Y0, Y1
	VMULPD      Y0, Y1, Y1

	// exp(h) − 1.
	VMULPD       LOG2E, Y0, Y2
	VROUNDPD     $0, Y2, Y2
	VMOVAPD      Y0, Y4
	VFNMADD231PD LN2HI, Y2, Y4
	VFNMADD231PD LN2LO, Y2, Y4
	VMOVAPD      C7, Y3
	VFMADD213PD  C6, Y4, Y3
	VFMADD213PD  C5, Y4, Y3
	VFMADD213PD  C4, Y4, Y3
	VFMADD213PD  C3, Y4, Y3
	VFMADD213PD  C2, Y4, Y3
	VFMADD213PD  ONE, Y4, Y3
	VFMADD213PD  ONE, Y4, Y3
	VADDPD       MAGIC, Y2, Y2
	VPSLLQ       $52, Y2, Y2
	VMULPD       Y2, Y3, Y3
	VSUBPD       ONE, Y3, Y3

	// E: the series where h > −0.5.
	VCMPPD    $0x1e, NEGHALF, Y0, Y5 // h > −0.5
	VBLENDVPD Y5, Y1, Y3, Y3
	VADDPD    TWO, Y3, Y4
	VDIVPD    Y4, Y3, Y3             // E/(2+E) = −tanh|x|
	VXORPD    SIGN64, Y3, Y3
	VXORPD    Y12, Y3, Y3
	VCVTPD2PSY Y3, X3
	VCMPPS     $0, X13, X3, X4
	VANDPS     SIGN32, X4, X4
	VORPS      X4, X3, X3
	VMOVUPS    X3, (DI)
	ADDQ       $32, SI
	ADDQ       $16, DI
	DECQ       CX
	JNZ        tloop

tdone:
	VZEROUPPER
	RET
