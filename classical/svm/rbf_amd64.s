//go:build !noasm && amd64

#include "textflag.h"

// Constants of the RBF row kernel, four copies each (one YMM register).
#define CLAMP rbfc<>+0(SB)
#define LOG2E rbfc<>+32(SB)
#define LN2HI rbfc<>+64(SB)
#define LN2LO rbfc<>+96(SB)
#define C7 rbfc<>+128(SB)
#define C6 rbfc<>+160(SB)
#define C5 rbfc<>+192(SB)
#define C4 rbfc<>+224(SB)
#define C3 rbfc<>+256(SB)
#define C2 rbfc<>+288(SB)
#define ONE rbfc<>+320(SB)
#define MAGIC rbfc<>+352(SB)
#define SIGN32 rbfc<>+384(SB)

// clamp = -700.0
DATA rbfc<>+0(SB)/8, $0xc085e00000000000
DATA rbfc<>+8(SB)/8, $0xc085e00000000000
DATA rbfc<>+16(SB)/8, $0xc085e00000000000
DATA rbfc<>+24(SB)/8, $0xc085e00000000000
// log2e = 1.4426950408889634
DATA rbfc<>+32(SB)/8, $0x3ff71547652b82fe
DATA rbfc<>+40(SB)/8, $0x3ff71547652b82fe
DATA rbfc<>+48(SB)/8, $0x3ff71547652b82fe
DATA rbfc<>+56(SB)/8, $0x3ff71547652b82fe
// ln2hi = 0.6931471803691238
DATA rbfc<>+64(SB)/8, $0x3fe62e42fee00000
DATA rbfc<>+72(SB)/8, $0x3fe62e42fee00000
DATA rbfc<>+80(SB)/8, $0x3fe62e42fee00000
DATA rbfc<>+88(SB)/8, $0x3fe62e42fee00000
// ln2lo = 1.9082146973659064e-10
DATA rbfc<>+96(SB)/8, $0x3dea39ef00000000
DATA rbfc<>+104(SB)/8, $0x3dea39ef00000000
DATA rbfc<>+112(SB)/8, $0x3dea39ef00000000
DATA rbfc<>+120(SB)/8, $0x3dea39ef00000000
// c7 = 0.0001984126984126984
DATA rbfc<>+128(SB)/8, $0x3f2a01a01a01a01a
DATA rbfc<>+136(SB)/8, $0x3f2a01a01a01a01a
DATA rbfc<>+144(SB)/8, $0x3f2a01a01a01a01a
DATA rbfc<>+152(SB)/8, $0x3f2a01a01a01a01a
// c6 = 0.001388888888888889
DATA rbfc<>+160(SB)/8, $0x3f56c16c16c16c17
DATA rbfc<>+168(SB)/8, $0x3f56c16c16c16c17
DATA rbfc<>+176(SB)/8, $0x3f56c16c16c16c17
DATA rbfc<>+184(SB)/8, $0x3f56c16c16c16c17
// c5 = 0.008333333333333333
DATA rbfc<>+192(SB)/8, $0x3f81111111111111
DATA rbfc<>+200(SB)/8, $0x3f81111111111111
DATA rbfc<>+208(SB)/8, $0x3f81111111111111
DATA rbfc<>+216(SB)/8, $0x3f81111111111111
// c4 = 0.041666666666666664
DATA rbfc<>+224(SB)/8, $0x3fa5555555555555
DATA rbfc<>+232(SB)/8, $0x3fa5555555555555
DATA rbfc<>+240(SB)/8, $0x3fa5555555555555
DATA rbfc<>+248(SB)/8, $0x3fa5555555555555
// c3 = 0.16666666666666666
DATA rbfc<>+256(SB)/8, $0x3fc5555555555555
DATA rbfc<>+264(SB)/8, $0x3fc5555555555555
DATA rbfc<>+272(SB)/8, $0x3fc5555555555555
DATA rbfc<>+280(SB)/8, $0x3fc5555555555555
// c2 = 0.5
DATA rbfc<>+288(SB)/8, $0x3fe0000000000000
DATA rbfc<>+296(SB)/8, $0x3fe0000000000000
DATA rbfc<>+304(SB)/8, $0x3fe0000000000000
DATA rbfc<>+312(SB)/8, $0x3fe0000000000000
// one = 1.0
DATA rbfc<>+320(SB)/8, $0x3ff0000000000000
DATA rbfc<>+328(SB)/8, $0x3ff0000000000000
DATA rbfc<>+336(SB)/8, $0x3ff0000000000000
DATA rbfc<>+344(SB)/8, $0x3ff0000000000000
// magic = 4503599627371519.0
DATA rbfc<>+352(SB)/8, $0x43300000000003ff
DATA rbfc<>+360(SB)/8, $0x43300000000003ff
DATA rbfc<>+368(SB)/8, $0x43300000000003ff
DATA rbfc<>+376(SB)/8, $0x43300000000003ff
// float32 sign bits
DATA rbfc<>+384(SB)/4, $0x80000000
DATA rbfc<>+388(SB)/4, $0x80000000
DATA rbfc<>+392(SB)/4, $0x80000000
DATA rbfc<>+396(SB)/4, $0x80000000
GLOBL rbfc<>(SB), RODATA|NOPTR, $400

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
