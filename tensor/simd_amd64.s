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
