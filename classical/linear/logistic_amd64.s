//go:build !noasm && amd64

#include "textflag.h"

// Constants of logisticAVX2, four copies each (one YMM register).
#define CLAMP lc<>+0(SB)
#define LOG2E lc<>+32(SB)
#define LN2HI lc<>+64(SB)
#define LN2LO lc<>+96(SB)
#define E13 lc<>+128(SB)
#define E12 lc<>+160(SB)
#define E11 lc<>+192(SB)
#define E10 lc<>+224(SB)
#define E9 lc<>+256(SB)
#define E8 lc<>+288(SB)
#define E7 lc<>+320(SB)
#define E6 lc<>+352(SB)
#define E5 lc<>+384(SB)
#define E4 lc<>+416(SB)
#define E3 lc<>+448(SB)
#define E2 lc<>+480(SB)
#define ONE lc<>+512(SB)
#define MAGIC lc<>+544(SB)
#define SQRT2 lc<>+576(SB)
#define HALF lc<>+608(SB)
#define TWO lc<>+640(SB)
#define LG1 lc<>+672(SB)
#define LG2 lc<>+704(SB)
#define LG3 lc<>+736(SB)
#define LG4 lc<>+768(SB)
#define LG5 lc<>+800(SB)
#define LG6 lc<>+832(SB)
#define LG7 lc<>+864(SB)
#define ABS64 lc<>+896(SB)

// clamp = -708.0
DATA lc<>+0(SB)/8, $0xc086200000000000
DATA lc<>+8(SB)/8, $0xc086200000000000
DATA lc<>+16(SB)/8, $0xc086200000000000
DATA lc<>+24(SB)/8, $0xc086200000000000
// log2e = 1.4426950408889634
DATA lc<>+32(SB)/8, $0x3ff71547652b82fe
DATA lc<>+40(SB)/8, $0x3ff71547652b82fe
DATA lc<>+48(SB)/8, $0x3ff71547652b82fe
DATA lc<>+56(SB)/8, $0x3ff71547652b82fe
// ln2hi = 0.6931471803691238
DATA lc<>+64(SB)/8, $0x3fe62e42fee00000
DATA lc<>+72(SB)/8, $0x3fe62e42fee00000
DATA lc<>+80(SB)/8, $0x3fe62e42fee00000
DATA lc<>+88(SB)/8, $0x3fe62e42fee00000
// ln2lo = 1.9082149292705877e-10
DATA lc<>+96(SB)/8, $0x3dea39ef35793c76
DATA lc<>+104(SB)/8, $0x3dea39ef35793c76
DATA lc<>+112(SB)/8, $0x3dea39ef35793c76
DATA lc<>+120(SB)/8, $0x3dea39ef35793c76
// e13 = 1.6059043836821613e-10
DATA lc<>+128(SB)/8, $0x3de6124613a86d09
DATA lc<>+136(SB)/8, $0x3de6124613a86d09
DATA lc<>+144(SB)/8, $0x3de6124613a86d09
DATA lc<>+152(SB)/8, $0x3de6124613a86d09
// e12 = 2.08767569878681e-09
DATA lc<>+160(SB)/8, $0x3e21eed8eff8d898
DATA lc<>+168(SB)/8, $0x3e21eed8eff8d898
DATA lc<>+176(SB)/8, $0x3e21eed8eff8d898
DATA lc<>+184(SB)/8, $0x3e21eed8eff8d898
// e11 = 2.505210838544172e-08
DATA lc<>+192(SB)/8, $0x3e5ae64567f544e4
DATA lc<>+200(SB)/8, $0x3e5ae64567f544e4
DATA lc<>+208(SB)/8, $0x3e5ae64567f544e4
DATA lc<>+216(SB)/8, $0x3e5ae64567f544e4
// e10 = 2.755731922398589e-07
DATA lc<>+224(SB)/8, $0x3e927e4fb7789f5c
DATA lc<>+232(SB)/8, $0x3e927e4fb7789f5c
DATA lc<>+240(SB)/8, $0x3e927e4fb7789f5c
DATA lc<>+248(SB)/8, $0x3e927e4fb7789f5c
// e9 = 2.7557319223985893e-06
DATA lc<>+256(SB)/8, $0x3ec71de3a556c734
DATA lc<>+264(SB)/8, $0x3ec71de3a556c734
DATA lc<>+272(SB)/8, $0x3ec71de3a556c734
DATA lc<>+280(SB)/8, $0x3ec71de3a556c734
// e8 = 2.48015873015873e-05
DATA lc<>+288(SB)/8, $0x3efa01a01a01a01a
DATA lc<>+296(SB)/8, $0x3efa01a01a01a01a
DATA lc<>+304(SB)/8, $0x3efa01a01a01a01a
DATA lc<>+312(SB)/8, $0x3efa01a01a01a01a
// e7 = 0.0001984126984126984
DATA lc<>+320(SB)/8, $0x3f2a01a01a01a01a
DATA lc<>+328(SB)/8, $0x3f2a01a01a01a01a
DATA lc<>+336(SB)/8, $0x3f2a01a01a01a01a
DATA lc<>+344(SB)/8, $0x3f2a01a01a01a01a
// e6 = 0.001388888888888889
DATA lc<>+352(SB)/8, $0x3f56c16c16c16c17
DATA lc<>+360(SB)/8, $0x3f56c16c16c16c17
DATA lc<>+368(SB)/8, $0x3f56c16c16c16c17
DATA lc<>+376(SB)/8, $0x3f56c16c16c16c17
// e5 = 0.008333333333333333
DATA lc<>+384(SB)/8, $0x3f81111111111111
DATA lc<>+392(SB)/8, $0x3f81111111111111
DATA lc<>+400(SB)/8, $0x3f81111111111111
DATA lc<>+408(SB)/8, $0x3f81111111111111
// e4 = 0.041666666666666664
DATA lc<>+416(SB)/8, $0x3fa5555555555555
DATA lc<>+424(SB)/8, $0x3fa5555555555555
DATA lc<>+432(SB)/8, $0x3fa5555555555555
DATA lc<>+440(SB)/8, $0x3fa5555555555555
// e3 = 0.16666666666666666
DATA lc<>+448(SB)/8, $0x3fc5555555555555
DATA lc<>+456(SB)/8, $0x3fc5555555555555
DATA lc<>+464(SB)/8, $0x3fc5555555555555
DATA lc<>+472(SB)/8, $0x3fc5555555555555
// e2 = 0.5
DATA lc<>+480(SB)/8, $0x3fe0000000000000
DATA lc<>+488(SB)/8, $0x3fe0000000000000
DATA lc<>+496(SB)/8, $0x3fe0000000000000
DATA lc<>+504(SB)/8, $0x3fe0000000000000
// one = 1.0
DATA lc<>+512(SB)/8, $0x3ff0000000000000
DATA lc<>+520(SB)/8, $0x3ff0000000000000
DATA lc<>+528(SB)/8, $0x3ff0000000000000
DATA lc<>+536(SB)/8, $0x3ff0000000000000
// magic = 4503599627371519.0
DATA lc<>+544(SB)/8, $0x43300000000003ff
DATA lc<>+552(SB)/8, $0x43300000000003ff
DATA lc<>+560(SB)/8, $0x43300000000003ff
DATA lc<>+568(SB)/8, $0x43300000000003ff
// sqrt2 = 1.4142135623730951
DATA lc<>+576(SB)/8, $0x3ff6a09e667f3bcd
DATA lc<>+584(SB)/8, $0x3ff6a09e667f3bcd
DATA lc<>+592(SB)/8, $0x3ff6a09e667f3bcd
DATA lc<>+600(SB)/8, $0x3ff6a09e667f3bcd
// half = 0.5
DATA lc<>+608(SB)/8, $0x3fe0000000000000
DATA lc<>+616(SB)/8, $0x3fe0000000000000
DATA lc<>+624(SB)/8, $0x3fe0000000000000
DATA lc<>+632(SB)/8, $0x3fe0000000000000
// two = 2.0
DATA lc<>+640(SB)/8, $0x4000000000000000
DATA lc<>+648(SB)/8, $0x4000000000000000
DATA lc<>+656(SB)/8, $0x4000000000000000
DATA lc<>+664(SB)/8, $0x4000000000000000
// lg1 = 0.6666666666666735
DATA lc<>+672(SB)/8, $0x3fe5555555555593
DATA lc<>+680(SB)/8, $0x3fe5555555555593
DATA lc<>+688(SB)/8, $0x3fe5555555555593
DATA lc<>+696(SB)/8, $0x3fe5555555555593
// lg2 = 0.3999999999940942
DATA lc<>+704(SB)/8, $0x3fd999999997fa04
DATA lc<>+712(SB)/8, $0x3fd999999997fa04
DATA lc<>+720(SB)/8, $0x3fd999999997fa04
DATA lc<>+728(SB)/8, $0x3fd999999997fa04
// lg3 = 0.2857142874366239
DATA lc<>+736(SB)/8, $0x3fd2492494229359
DATA lc<>+744(SB)/8, $0x3fd2492494229359
DATA lc<>+752(SB)/8, $0x3fd2492494229359
DATA lc<>+760(SB)/8, $0x3fd2492494229359
// lg4 = 0.22222198432149784
DATA lc<>+768(SB)/8, $0x3fcc71c51d8e78af
DATA lc<>+776(SB)/8, $0x3fcc71c51d8e78af
DATA lc<>+784(SB)/8, $0x3fcc71c51d8e78af
DATA lc<>+792(SB)/8, $0x3fcc71c51d8e78af
// lg5 = 0.1818357216161805
DATA lc<>+800(SB)/8, $0x3fc7466496cb03de
DATA lc<>+808(SB)/8, $0x3fc7466496cb03de
DATA lc<>+816(SB)/8, $0x3fc7466496cb03de
DATA lc<>+824(SB)/8, $0x3fc7466496cb03de
// lg6 = 0.15313837699209373
DATA lc<>+832(SB)/8, $0x3fc39a09d078c69f
DATA lc<>+840(SB)/8, $0x3fc39a09d078c69f
DATA lc<>+848(SB)/8, $0x3fc39a09d078c69f
DATA lc<>+856(SB)/8, $0x3fc39a09d078c69f
// lg7 = 0.14798198605116586
DATA lc<>+864(SB)/8, $0x3fc2f112df3e5244
DATA lc<>+872(SB)/8, $0x3fc2f112df3e5244
DATA lc<>+880(SB)/8, $0x3fc2f112df3e5244
DATA lc<>+888(SB)/8, $0x3fc2f112df3e5244
// float64 magnitude bits
DATA lc<>+896(SB)/8, $0x7fffffffffffffff
DATA lc<>+904(SB)/8, $0x7fffffffffffffff
DATA lc<>+912(SB)/8, $0x7fffffffffffffff
DATA lc<>+920(SB)/8, $0x7fffffffffffffff
GLOBL lc<>(SB), RODATA|NOPTR, $928

// func logisticAVX2(lse, sg, z []float64)
//
// For i < len(z) &^ 3: lse[i] = log(1 + exp(z[i])) and sg[i] = σ(z[i]) =
// 1/(1 + exp(−z[i])), both through e = exp(−|z|) (so nothing overflows):
// lse = log1p(e) + max(z, 0), σ = 1/(1+e) for z > 0 and e/(1+e)
// otherwise.
//
// exp(a), a = −|z|, is 0 below −708 (a subnormal) and otherwise 2ⁿ·e^h with n the nearest
// integer to a·log2e, h = a − n·ln2 (Cody and Waite's two-part ln2) and
// e^h by its degree-13 Taylor polynomial (|h| <= ln2/2: error < 1e-17).
// log1p(e) is log(u) + (e − (u − 1))/u with u = 1 + e rounded, and
// log(u) fdlibm's: u = 2ᵏ·m with m in [√2/2, √2], f = m − 1,
// s = f/(2 + f) and log m = f − (f²/2 − s(f²/2 + R(s²))) with fdlibm's
// degree-14 minimax R. Both are within a few ulps of the libm functions.
// Needs AVX2 and FMA.
TEXT ·logisticAVX2(SB), NOSPLIT, $0-72
	MOVQ   lse_base+0(FP), DI
	MOVQ   sg_base+24(FP), DX
	MOVQ   z_base+48(FP), SI
	MOVQ   z_len+56(FP), CX
	VXORPD Y15, Y15, Y15
	SHRQ   $2, CX
	JZ     done

loop:
	VMOVUPD (SI), Y0

	// e = exp(−|z|)
	VANDPD       ABS64, Y0, Y1
	VSUBPD       Y1, Y15, Y1
	VCMPPD       $0x1d, CLAMP, Y1, Y14 // −|z| >= −708, else e = 0
	VMAXPD       CLAMP, Y1, Y1
	VMULPD       LOG2E, Y1, Y2
	VROUNDPD     $0, Y2, Y2
	VFNMADD231PD LN2HI, Y2, Y1
	VFNMADD231PD LN2LO, Y2, Y1
	VMOVAPD      E13, Y3
	VFMADD213PD  E12, Y1, Y3
	VFMADD213PD  E11, Y1, Y3
	VFMADD213PD  E10, Y1, Y3
	VFMADD213PD  E9, Y1, Y3
	VFMADD213PD  E8, Y1, Y3
	VFMADD213PD  E7, Y1, Y3
	VFMADD213PD  E6, Y1, Y3
	VFMADD213PD  E5, Y1, Y3
	VFMADD213PD  E4, Y1, Y3
	VFMADD213PD  E3, Y1, Y3
	VFMADD213PD  E2, Y1, Y3
	VFMADD213PD  ONE, Y1, Y3
	VFMADD213PD  ONE, Y1, Y3
	VADDPD       MAGIC, Y2, Y2
	VPSLLQ       $52, Y2, Y2
	VMULPD       Y2, Y3, Y3
	VANDPD       Y14, Y3, Y3

	// u = 1 + e, inv = 1/u, c/u = (e − (u − 1))·inv
	VADDPD ONE, Y3, Y4
	VMOVAPD ONE, Y13
	VDIVPD Y4, Y13, Y13
	VSUBPD ONE, Y4, Y5
	VSUBPD Y5, Y3, Y5
	VMULPD Y13, Y5, Y5

	// log(u): k = 1 and m = u/2 when u > √2.
	VCMPPD    $0x1e, SQRT2, Y4, Y6
	VMULPD    HALF, Y4, Y7
	VBLENDVPD Y6, Y7, Y4, Y4
	VANDPD    ONE, Y6, Y6 // k as 0.0 or 1.0
	VSUBPD    ONE, Y4, Y4 // f
	VADDPD    TWO, Y4, Y7
	VDIVPD    Y7, Y4, Y7  // s
	VMULPD    Y7, Y7, Y8  // s²
	VMULPD    Y8, Y8, Y9  // s⁴
	VMOVAPD     LG6, Y10
	VFMADD213PD LG4, Y9, Y10
	VFMADD213PD LG2, Y9, Y10
	VMULPD      Y9, Y10, Y10
	VMOVAPD     LG7, Y11
	VFMADD213PD LG5, Y9, Y11
	VFMADD213PD LG3, Y9, Y11
	VFMADD213PD LG1, Y9, Y11
	VMULPD      Y8, Y11, Y11
	VADDPD      Y10, Y11, Y11 // R
	VMULPD      Y4, Y4, Y12
	VMULPD      HALF, Y12, Y12 // f²/2
	VADDPD      Y12, Y11, Y11
	VMULPD      Y7, Y11, Y11
	VFMADD231PD LN2LO, Y6, Y11
	VSUBPD      Y11, Y12, Y12
	VSUBPD      Y4, Y12, Y12
	VMULPD      LN2HI, Y6, Y6
	VSUBPD      Y12, Y6, Y6 // log(u)
	VADDPD      Y5, Y6, Y6  // log1p(e)

	VMAXPD  Y15, Y0, Y7
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y6, (DI)

	// σ(z)
	VMULPD    Y13, Y3, Y8 // e/u
	VCMPPD    $0x1e, Y15, Y0, Y9
	VBLENDVPD Y9, Y13, Y8, Y8
	VMOVUPD   Y8, (DX)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
