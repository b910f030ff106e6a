//go:build !noasm && amd64

#include "textflag.h"

// func addF32AVX2(d, a, b []float32)
// d[i] = a[i] + b[i] for i < len(d); len(a), len(b) >= len(d).
TEXT ·addF32AVX2(SB), NOSPLIT, $0-72
	MOVQ d_base+0(FP), DI
	MOVQ d_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	XORQ AX, AX
add32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JL   add8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VADDPS  (DX)(AX*4), Y0, Y0
	VADDPS  32(DX)(AX*4), Y1, Y1
	VADDPS  64(DX)(AX*4), Y2, Y2
	VADDPS  96(DX)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     add32
add8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   add1
	VMOVUPS (SI)(AX*4), Y0
	VADDPS  (DX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     add8
add1:
	CMPQ AX, CX
	JGE  adddone
	VMOVSS (SI)(AX*4), X0
	VADDSS (DX)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    add1
adddone:
	VZEROUPPER
	RET

// func mulF32AVX2(d, a, b []float32)
TEXT ·mulF32AVX2(SB), NOSPLIT, $0-72
	MOVQ d_base+0(FP), DI
	MOVQ d_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	XORQ AX, AX
mul32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JL   mul8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VMULPS  (DX)(AX*4), Y0, Y0
	VMULPS  32(DX)(AX*4), Y1, Y1
	VMULPS  64(DX)(AX*4), Y2, Y2
	VMULPS  96(DX)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     mul32
mul8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   mul1
	VMOVUPS (SI)(AX*4), Y0
	VMULPS  (DX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     mul8
mul1:
	CMPQ AX, CX
	JGE  muldone
	VMOVSS (SI)(AX*4), X0
	VMULSS (DX)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    mul1
muldone:
	VZEROUPPER
	RET

// func sumF32AVX2(x []float32) float32
// Four 8-lane float32 accumulators; callers keep x short (sumBlock) so the
// float32 partial sums stay accurate.
TEXT ·sumF32AVX2(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
sum32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JL   sum8
	VADDPS (SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	ADDQ   $32, AX
	JMP    sum32
sum8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   sumred
	VADDPS (SI)(AX*4), Y0, Y0
	ADDQ   $8, AX
	JMP    sum8
sumred:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
sum1:
	CMPQ AX, CX
	JGE  sumdone
	VADDSS (SI)(AX*4), X0, X0
	INCQ   AX
	JMP    sum1
sumdone:
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// Constants of expF32AVX2 (float32 bit patterns; Cephes expf).
DATA expc<>+0(SB)/4, $0xc2d00000  // -104: below, e**x underflows to 0
DATA expc<>+4(SB)/4, $0x42b1999a  // 88.8: above, e**x overflows to +Inf
DATA expc<>+8(SB)/4, $0x3fb8aa3b  // log2(e)
DATA expc<>+12(SB)/4, $0x3f318000 // ln2 high part
DATA expc<>+16(SB)/4, $0xb95e8083 // ln2 low part
DATA expc<>+20(SB)/4, $0x39506967 // p0
DATA expc<>+24(SB)/4, $0x3ab743ce // p1
DATA expc<>+28(SB)/4, $0x3c088908 // p2
DATA expc<>+32(SB)/4, $0x3d2aa9c1 // p3
DATA expc<>+36(SB)/4, $0x3e2aaaaa // p4
DATA expc<>+40(SB)/4, $0x3f000000 // p5
DATA expc<>+44(SB)/4, $0x3f800000 // 1
DATA expc<>+48(SB)/4, $127        // exponent bias (int32)
DATA expc<>+52(SB)/4, $0xbbbaf0ea // tanh: q0
DATA expc<>+56(SB)/4, $0x3ca9134e // q1
DATA expc<>+60(SB)/4, $0xbd5c1e2d // q2
DATA expc<>+64(SB)/4, $0x3e088393 // q3
DATA expc<>+68(SB)/4, $0xbeaaaa99 // q4
DATA expc<>+72(SB)/4, $0x3f200000 // 0.625: below, the polynomial
GLOBL expc<>(SB), RODATA|NOPTR, $76

// EXP8 sets Y4 = e**Y0 (8 lanes), using Y1, Y2, Y5, Y6, Y7 and the
// constants loaded into Y8-Y14.
#define EXP8 \
	VMAXPS  Y0, Y8, Y1 \
	VMINPS  Y1, Y9, Y1 \
	VMULPS  Y10, Y1, Y2 \
	VROUNDPS $0, Y2, Y2 \
	VFNMADD231PS Y11, Y2, Y1 \
	VFNMADD231PS Y12, Y2, Y1 \
	VBROADCASTSS expc<>+20(SB), Y4 \
	VBROADCASTSS expc<>+24(SB), Y5 \
	VFMADD213PS Y5, Y1, Y4 \
	VBROADCASTSS expc<>+28(SB), Y5 \
	VFMADD213PS Y5, Y1, Y4 \
	VBROADCASTSS expc<>+32(SB), Y5 \
	VFMADD213PS Y5, Y1, Y4 \
	VBROADCASTSS expc<>+36(SB), Y5 \
	VFMADD213PS Y5, Y1, Y4 \
	VBROADCASTSS expc<>+40(SB), Y5 \
	VFMADD213PS Y5, Y1, Y4 \
	VMULPS  Y1, Y1, Y5 \
	VFMADD213PS Y1, Y5, Y4 \
	VADDPS  Y13, Y4, Y4 \
	VCVTPS2DQ Y2, Y6 \
	VPSRAD  $1, Y6, Y7 \
	VPSUBD  Y7, Y6, Y6 \
	VPADDD  Y14, Y7, Y7 \
	VPADDD  Y14, Y6, Y6 \
	VPSLLD  $23, Y7, Y7 \
	VPSLLD  $23, Y6, Y6 \
	VMULPS  Y7, Y4, Y4 \
	VMULPS  Y6, Y4, Y4

// func expF32AVX2(d, s []float32)
// d[i] = e**s[i] for i < len(d) rounded down to a multiple of 8 (the caller
// does the rest); len(s) >= len(d). NaN propagates.
TEXT ·expF32AVX2(SB), NOSPLIT, $0-48
	MOVQ d_base+0(FP), DI
	MOVQ d_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	ANDQ $-8, CX
	XORQ AX, AX
	VBROADCASTSS expc<>+0(SB), Y8
	VBROADCASTSS expc<>+4(SB), Y9
	VBROADCASTSS expc<>+8(SB), Y10
	VBROADCASTSS expc<>+12(SB), Y11
	VBROADCASTSS expc<>+16(SB), Y12
	VBROADCASTSS expc<>+44(SB), Y13
	VPBROADCASTD expc<>+48(SB), Y14
exp8:
	CMPQ AX, CX
	JGE  expdone
	VMOVUPS (SI)(AX*4), Y0
	EXP8
	VMOVUPS Y4, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     exp8
expdone:
	VZEROUPPER
	RET

// func sigmoidF32AVX2(d, s []float32)
// d[i] = 1/(1+e**-s[i]) for i < len(d) rounded down to a multiple of 8.
TEXT ·sigmoidF32AVX2(SB), NOSPLIT, $0-48
	MOVQ d_base+0(FP), DI
	MOVQ d_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	ANDQ $-8, CX
	XORQ AX, AX
	VBROADCASTSS expc<>+0(SB), Y8
	VBROADCASTSS expc<>+4(SB), Y9
	VBROADCASTSS expc<>+8(SB), Y10
	VBROADCASTSS expc<>+12(SB), Y11
	VBROADCASTSS expc<>+16(SB), Y12
	VBROADCASTSS expc<>+44(SB), Y13
	VPBROADCASTD expc<>+48(SB), Y14
	VXORPS       Y15, Y15, Y15
sig8:
	CMPQ AX, CX
	JGE  sigdone
	VMOVUPS (SI)(AX*4), Y3
	VSUBPS  Y3, Y15, Y0 // -x
	EXP8
	VADDPS  Y13, Y4, Y4 // 1 + e**-x
	VDIVPS  Y4, Y13, Y4 // 1 / (1 + e**-x)
	VMOVUPS Y4, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     sig8
sigdone:
	VZEROUPPER
	RET

// func tanhF32AVX2(d, s []float32)
// d[i] = tanh(s[i]) for i < len(d) rounded down to a multiple of 8:
// Cephes' tanhf, x + x³·q(x²) below |x| = 0.625 and
// sign(x)·(1 - 2/(e**2|x| + 1)) above.
TEXT ·tanhF32AVX2(SB), NOSPLIT, $0-48
	MOVQ d_base+0(FP), DI
	MOVQ d_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	ANDQ $-8, CX
	XORQ AX, AX
	VBROADCASTSS expc<>+0(SB), Y8
	VBROADCASTSS expc<>+4(SB), Y9
	VBROADCASTSS expc<>+8(SB), Y10
	VBROADCASTSS expc<>+12(SB), Y11
	VBROADCASTSS expc<>+16(SB), Y12
	VBROADCASTSS expc<>+44(SB), Y13
	VPBROADCASTD expc<>+48(SB), Y14
	VPCMPEQD     Y15, Y15, Y15
	VPSRLD       $1, Y15, Y15 // 0x7fffffff: |x| mask
tanh8:
	CMPQ AX, CX
	JGE  tanhdone
	VMOVUPS (SI)(AX*4), Y3
	VANDPS  Y3, Y15, Y0
	VADDPS  Y0, Y0, Y0 // 2|x|
	EXP8
	VADDPS  Y13, Y4, Y4 // e**2|x| + 1
	VADDPS  Y13, Y13, Y5
	VDIVPS  Y4, Y5, Y4  // 2/(...)
	VSUBPS  Y4, Y13, Y4 // 1 - 2/(...)
	VANDNPS Y3, Y15, Y5 // sign bit of x
	VORPS   Y5, Y4, Y4
	// Small |x|: x + x·z·q(z), z = x².
	VMULPS       Y3, Y3, Y1
	VBROADCASTSS expc<>+52(SB), Y2
	VBROADCASTSS expc<>+56(SB), Y5
	VFMADD213PS  Y5, Y1, Y2
	VBROADCASTSS expc<>+60(SB), Y5
	VFMADD213PS  Y5, Y1, Y2
	VBROADCASTSS expc<>+64(SB), Y5
	VFMADD213PS  Y5, Y1, Y2
	VBROADCASTSS expc<>+68(SB), Y5
	VFMADD213PS  Y5, Y1, Y2
	VMULPS       Y1, Y2, Y2
	VFMADD213PS  Y3, Y3, Y2 // x·(z·q) + x
	VANDPS       Y3, Y15, Y0
	VBROADCASTSS expc<>+72(SB), Y5
	VCMPPS       $0x11, Y5, Y0, Y7 // |x| < 0.625
	VBLENDVPS    Y7, Y2, Y4, Y4
	VMOVUPS      Y4, (DI)(AX*4)
	ADDQ         $8, AX
	JMP          tanh8
tanhdone:
	VZEROUPPER
	RET

// func reluF32AVX2(d, s []float32)
// d[i] = max(0, s[i]) for i < len(d); NaN propagates. len(s) >= len(d).
TEXT ·reluF32AVX2(SB), NOSPLIT, $0-48
	MOVQ   d_base+0(FP), DI
	MOVQ   d_len+8(FP), CX
	MOVQ   s_base+24(FP), SI
	XORQ   AX, AX
	VXORPS Y8, Y8, Y8
relu32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JL   relu8
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VMAXPS  Y0, Y8, Y0
	VMAXPS  Y1, Y8, Y1
	VMAXPS  Y2, Y8, Y2
	VMAXPS  Y3, Y8, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     relu32
relu8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   relu1
	VMOVUPS (SI)(AX*4), Y0
	VMAXPS  Y0, Y8, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     relu8
relu1:
	CMPQ AX, CX
	JGE  reludone
	VMOVSS (SI)(AX*4), X0
	VMAXSS X0, X8, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    relu1
reludone:
	VZEROUPPER
	RET

// func affineF32AVX2(d, s []float32, a, b float32)
// d[i] = s[i]*a + b for i < len(d) (a multiply and an add, not fused, so
// the result matches the Go loop bit for bit). len(s) >= len(d).
TEXT ·affineF32AVX2(SB), NOSPLIT, $0-56
	MOVQ         d_base+0(FP), DI
	MOVQ         d_len+8(FP), CX
	MOVQ         s_base+24(FP), SI
	VBROADCASTSS a+48(FP), Y8
	VBROADCASTSS b+52(FP), Y9
	XORQ         AX, AX
aff32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JL   aff8
	VMULPS  (SI)(AX*4), Y8, Y0
	VMULPS  32(SI)(AX*4), Y8, Y1
	VMULPS  64(SI)(AX*4), Y8, Y2
	VMULPS  96(SI)(AX*4), Y8, Y3
	VADDPS  Y9, Y0, Y0
	VADDPS  Y9, Y1, Y1
	VADDPS  Y9, Y2, Y2
	VADDPS  Y9, Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     aff32
aff8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   aff1
	VMULPS  (SI)(AX*4), Y8, Y0
	VADDPS  Y9, Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     aff8
aff1:
	CMPQ AX, CX
	JGE  affdone
	VMULSS (SI)(AX*4), X8, X0
	VADDSS X9, X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    aff1
affdone:
	VZEROUPPER
	RET

// func accSumF32AVX2(acc []float64, row []float32)
// acc[i] += float64(row[i]) for i < len(acc); len(row) >= len(acc).
TEXT ·accSumF32AVX2(SB), NOSPLIT, $0-48
	MOVQ acc_base+0(FP), DI
	MOVQ acc_len+8(FP), CX
	MOVQ row_base+24(FP), SI
	XORQ AX, AX
acc8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   acc1
	VCVTPS2PD (SI)(AX*4), Y0
	VCVTPS2PD 16(SI)(AX*4), Y1
	VADDPD    (DI)(AX*8), Y0, Y0
	VADDPD    32(DI)(AX*8), Y1, Y1
	VMOVUPD   Y0, (DI)(AX*8)
	VMOVUPD   Y1, 32(DI)(AX*8)
	ADDQ      $8, AX
	JMP       acc8
acc1:
	CMPQ AX, CX
	JGE  accdone
	VCVTSS2SD (SI)(AX*4), X0, X0
	VADDSD    (DI)(AX*8), X0, X0
	VMOVSD    X0, (DI)(AX*8)
	INCQ      AX
	JMP       acc1
accdone:
	VZEROUPPER
	RET

// func maxF32AVX2(x []float32) (m float32, nan bool)
// The maximum of x (len(x) >= 8), and whether x holds a NaN.
TEXT ·maxF32AVX2(SB), NOSPLIT, $0-29
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VMOVUPS      (SI), Y0
	VMOVUPS      Y0, Y1
	VCMPPS       $3, Y0, Y0, Y2
	VXORPS       Y3, Y3, Y3
	XORQ         AX, AX
max16:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $16
	JL   max8
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VCMPPS  $3, Y4, Y4, Y6
	VCMPPS  $3, Y5, Y5, Y7
	VORPS   Y6, Y2, Y2
	VORPS   Y7, Y3, Y3
	VMAXPS  Y4, Y0, Y0
	VMAXPS  Y5, Y1, Y1
	ADDQ    $16, AX
	JMP     max16
max8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   maxtail
	VMOVUPS (SI)(AX*4), Y4
	VCMPPS  $3, Y4, Y4, Y6
	VORPS   Y6, Y2, Y2
	VMAXPS  Y4, Y0, Y0
	ADDQ    $8, AX
	JMP     max8
maxtail:
	// The last 8 (overlapping what was done: harmless for max and min).
	CMPQ AX, CX
	JGE  maxred
	MOVQ CX, AX
	SUBQ $8, AX
	VMOVUPS (SI)(AX*4), Y4
	VCMPPS  $3, Y4, Y4, Y6
	VORPS   Y6, Y2, Y2
	VMAXPS  Y4, Y0, Y0
maxred:
	VMAXPS       Y1, Y0, Y0
	VORPS        Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X1, X0, X0
	VMOVSS       X0, m+24(FP)
	VMOVMSKPS    Y2, BX
	TESTL        BX, BX
	SETNE        nan+28(FP)
	VZEROUPPER
	RET

// func minF32AVX2(x []float32) (m float32, nan bool)
// The minimum of x (len(x) >= 8), and whether x holds a NaN.
TEXT ·minF32AVX2(SB), NOSPLIT, $0-29
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VMOVUPS      (SI), Y0
	VMOVUPS      Y0, Y1
	VCMPPS       $3, Y0, Y0, Y2
	VXORPS       Y3, Y3, Y3
	XORQ         AX, AX
min16:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $16
	JL   min8
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VCMPPS  $3, Y4, Y4, Y6
	VCMPPS  $3, Y5, Y5, Y7
	VORPS   Y6, Y2, Y2
	VORPS   Y7, Y3, Y3
	VMINPS  Y4, Y0, Y0
	VMINPS  Y5, Y1, Y1
	ADDQ    $16, AX
	JMP     min16
min8:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $8
	JL   mintail
	VMOVUPS (SI)(AX*4), Y4
	VCMPPS  $3, Y4, Y4, Y6
	VORPS   Y6, Y2, Y2
	VMINPS  Y4, Y0, Y0
	ADDQ    $8, AX
	JMP     min8
mintail:
	// The last 8 (overlapping what was done: harmless for max and min).
	CMPQ AX, CX
	JGE  minred
	MOVQ CX, AX
	SUBQ $8, AX
	VMOVUPS (SI)(AX*4), Y4
	VCMPPS  $3, Y4, Y4, Y6
	VORPS   Y6, Y2, Y2
	VMINPS  Y4, Y0, Y0
minred:
	VMINPS       Y1, Y0, Y0
	VORPS        Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X1
	VMINPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMINPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMINPS       X1, X0, X0
	VMOVSS       X0, m+24(FP)
	VMOVMSKPS    Y2, BX
	TESTL        BX, BX
	SETNE        nan+28(FP)
	VZEROUPPER
	RET

// func transpose8x8F32AVX2(d []float32, ldd int, s []float32, lds int)
// d[r*ldd+c] = s[c*lds+r] for r, c < 8.
TEXT ·transpose8x8F32AVX2(SB), NOSPLIT, $0-64
	MOVQ d_base+0(FP), DI
	MOVQ ldd+24(FP), BX
	MOVQ s_base+32(FP), SI
	MOVQ lds+56(FP), DX
	SHLQ $2, BX
	SHLQ $2, DX
	MOVQ SI, AX
	VMOVUPS (AX), Y0
	ADDQ    DX, AX
	VMOVUPS (AX), Y1
	ADDQ    DX, AX
	VMOVUPS (AX), Y2
	ADDQ    DX, AX
	VMOVUPS (AX), Y3
	ADDQ    DX, AX
	VMOVUPS (AX), Y4
	ADDQ    DX, AX
	VMOVUPS (AX), Y5
	ADDQ    DX, AX
	VMOVUPS (AX), Y6
	ADDQ    DX, AX
	VMOVUPS (AX), Y7
	VUNPCKLPS  Y1, Y0, Y8
	VUNPCKHPS  Y1, Y0, Y9
	VUNPCKLPS  Y3, Y2, Y10
	VUNPCKHPS  Y3, Y2, Y11
	VUNPCKLPS  Y5, Y4, Y12
	VUNPCKHPS  Y5, Y4, Y13
	VUNPCKLPS  Y7, Y6, Y14
	VUNPCKHPS  Y7, Y6, Y15
	VSHUFPS    $0x44, Y10, Y8, Y0
	VSHUFPS    $0xEE, Y10, Y8, Y1
	VSHUFPS    $0x44, Y11, Y9, Y2
	VSHUFPS    $0xEE, Y11, Y9, Y3
	VSHUFPS    $0x44, Y14, Y12, Y4
	VSHUFPS    $0xEE, Y14, Y12, Y5
	VSHUFPS    $0x44, Y15, Y13, Y6
	VSHUFPS    $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, (DI)
	ADDQ    BX, DI
	VMOVUPS Y9, (DI)
	ADDQ    BX, DI
	VMOVUPS Y10, (DI)
	ADDQ    BX, DI
	VMOVUPS Y11, (DI)
	ADDQ    BX, DI
	VMOVUPS Y12, (DI)
	ADDQ    BX, DI
	VMOVUPS Y13, (DI)
	ADDQ    BX, DI
	VMOVUPS Y14, (DI)
	ADDQ    BX, DI
	VMOVUPS Y15, (DI)
	VZEROUPPER
	RET

// func accSum4F32AVX2(acc []float64, r0, r1, r2, r3 []float32)
// acc[i] += (r0[i] + r1[i]) + (r2[i] + r3[i]) in float64, for
// i < len(acc) &^ 3 (the rows are at least that long): four rows of a
// column sum per pass over the accumulators.
TEXT ·accSum4F32AVX2(SB), NOSPLIT, $0-120
	MOVQ acc_base+0(FP), DI
	MOVQ acc_len+8(FP), CX
	MOVQ r0_base+24(FP), R8
	MOVQ r1_base+48(FP), R9
	MOVQ r2_base+72(FP), R10
	MOVQ r3_base+96(FP), R11
	SHRQ $2, CX
	JZ   acc4done
	XORQ AX, AX
acc4loop:
	VCVTPS2PD (R8)(AX*4), Y0
	VCVTPS2PD (R9)(AX*4), Y1
	VADDPD    Y1, Y0, Y0
	VCVTPS2PD (R10)(AX*4), Y2
	VCVTPS2PD (R11)(AX*4), Y3
	VADDPD    Y3, Y2, Y2
	VADDPD    Y2, Y0, Y0
	VADDPD    (DI)(AX*8), Y0, Y0
	VMOVUPD   Y0, (DI)(AX*8)
	ADDQ      $4, AX
	DECQ      CX
	JNZ       acc4loop
acc4done:
	VZEROUPPER
	RET
