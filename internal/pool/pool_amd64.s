//go:build !noasm && amd64

#include "textflag.h"

// The 2×2 kernels take eight windows at a time: sixteen columns of a row
// pair. VSHUFPS splits each row into its even (left) and odd (right)
// columns, in the window order [0 1 4 5 | 2 3 6 7]; VPERMPD $0xD8 swaps
// the middle quadwords, to and from natural order, and VUNPCK{L,H}PS
// interleave even and odd columns back into rows.

// BEATS sets M to all ones in the lanes where X beats an earlier Y: X > Y,
// or X is a NaN and Y is not (a NaN is the maximum, the first one wins).
#define BEATS(X, Y, M, T1, T2) \
	VCMPPS $0x1e, Y, X, M \
	VCMPPS $3, X, X, T1   \
	VCMPPS $7, Y, Y, T2   \
	VANDPS T2, T1, T1     \
	VORPS  T1, M, M

// WINNERS loads the windows at input column 2*AX of the rows at SI and DX
// and leaves, in window order [0 1 4 5 | 2 3 6 7]: Y4 the maximum, Y8 the
// mask "right beats left" of the top row, Y9 that of the bottom row, Y12
// the mask "bottom beats top".
#define WINNERS \
	VMOVUPS   (SI)(AX*8), Y0            \
	VMOVUPS   32(SI)(AX*8), Y1          \
	VMOVUPS   (DX)(AX*8), Y2            \
	VMOVUPS   32(DX)(AX*8), Y3          \
	VSHUFPS   $0x88, Y1, Y0, Y4         \
	VSHUFPS   $0xdd, Y1, Y0, Y5         \
	VSHUFPS   $0x88, Y3, Y2, Y6         \
	VSHUFPS   $0xdd, Y3, Y2, Y7         \
	BEATS(Y5, Y4, Y8, Y10, Y11)         \
	VBLENDVPS Y8, Y5, Y4, Y4            \
	BEATS(Y7, Y6, Y9, Y10, Y11)         \
	VBLENDVPS Y9, Y7, Y6, Y6            \
	BEATS(Y6, Y4, Y12, Y10, Y11)        \
	VBLENDVPS Y12, Y6, Y4, Y4

// SCATTER writes the gradient Y0 (window order) of eight windows to
// columns 2*AX.. of the rows at DI and BX, at each window's winner given
// by the masks Y8, Y9 and Y12 of WINNERS; every other column gets zero.
// VANDNPS B, A, D sets D = B &^ A.
#define SCATTER \
	VANDNPS   Y0, Y8, Y1        \
	VANDPS    Y8, Y0, Y2        \
	VANDNPS   Y0, Y9, Y3        \
	VANDPS    Y9, Y0, Y5        \
	VANDNPS   Y1, Y12, Y1       \
	VANDNPS   Y2, Y12, Y2       \
	VANDPS    Y12, Y3, Y3       \
	VANDPS    Y12, Y5, Y5       \
	VUNPCKLPS Y2, Y1, Y6        \
	VUNPCKHPS Y2, Y1, Y7        \
	VUNPCKLPS Y5, Y3, Y10       \
	VUNPCKHPS Y5, Y3, Y11       \
	VMOVUPS   Y6, (DI)(AX*8)    \
	VMOVUPS   Y7, 32(DI)(AX*8)  \
	VMOVUPS   Y10, (BX)(AX*8)   \
	VMOVUPS   Y11, 32(BX)(AX*8)

// func max2x2F32AVX2(o []float32, arg []uint8, r0, r1 []float32)
// Pools the first len(o)&^7 windows of the row pair r0, r1 into o and,
// when arg is not empty, their winners (0-3) into arg.
TEXT ·max2x2F32AVX2(SB), NOSPLIT, $0-96
	MOVQ     o_base+0(FP), DI
	MOVQ     o_len+8(FP), CX
	MOVQ     arg_base+24(FP), R8
	MOVQ     arg_len+32(FP), R9
	MOVQ     r0_base+48(FP), SI
	MOVQ     r1_base+72(FP), DX
	ANDQ     $-8, CX
	XORQ     AX, AX
	VPCMPEQD Y15, Y15, Y15
	VPSRLD   $31, Y15, Y14 // 1 in each lane
	VPADDD   Y14, Y14, Y13 // 2 in each lane

fwdloop:
	CMPQ    AX, CX
	JGE     fwddone
	WINNERS
	VPERMPD $0xd8, Y4, Y4
	VMOVUPS Y4, (DI)(AX*4)
	TESTQ   R9, R9
	JZ      fwdnext

	// winner = bottom ? 2 + (bottom right) : (top right)
	VPAND        Y8, Y14, Y8
	VPAND        Y9, Y14, Y9
	VPOR         Y9, Y13, Y9
	VBLENDVPS    Y12, Y9, Y8, Y8
	VPERMQ       $0xd8, Y8, Y8
	VEXTRACTI128 $1, Y8, X9
	VPACKUSDW    X9, X8, X8
	VPACKUSWB    X8, X8, X8
	VMOVQ        X8, (R8)(AX*1)

fwdnext:
	ADDQ $8, AX
	JMP  fwdloop

fwddone:
	VZEROUPPER
	RET

// func max2x2BackF32AVX2(d0, d1, g, r0, r1 []float32)
// For the first len(g)&^7 windows of the row pair r0, r1, writes g to the
// window's winner in the rows d0, d1 and zero elsewhere.
TEXT ·max2x2BackF32AVX2(SB), NOSPLIT, $0-120
	MOVQ d0_base+0(FP), DI
	MOVQ d1_base+24(FP), BX
	MOVQ g_base+48(FP), R8
	MOVQ g_len+56(FP), CX
	MOVQ r0_base+72(FP), SI
	MOVQ r1_base+96(FP), DX
	ANDQ $-8, CX
	XORQ AX, AX

bwdloop:
	CMPQ    AX, CX
	JGE     bwddone
	WINNERS
	VMOVUPS (R8)(AX*4), Y0
	VPERMPD $0xd8, Y0, Y0
	SCATTER
	ADDQ    $8, AX
	JMP     bwdloop

bwddone:
	VZEROUPPER
	RET
