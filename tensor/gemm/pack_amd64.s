//go:build !noasm && amd64

#include "textflag.h"

// iota<> holds the int32 lane numbers 0..15.
DATA iota<>+0(SB)/4, $0
DATA iota<>+4(SB)/4, $1
DATA iota<>+8(SB)/4, $2
DATA iota<>+12(SB)/4, $3
DATA iota<>+16(SB)/4, $4
DATA iota<>+20(SB)/4, $5
DATA iota<>+24(SB)/4, $6
DATA iota<>+28(SB)/4, $7
DATA iota<>+32(SB)/4, $8
DATA iota<>+36(SB)/4, $9
DATA iota<>+40(SB)/4, $10
DATA iota<>+44(SB)/4, $11
DATA iota<>+48(SB)/4, $12
DATA iota<>+52(SB)/4, $13
DATA iota<>+56(SB)/4, $14
DATA iota<>+60(SB)/4, $15
GLOBL iota<>(SB), RODATA|NOPTR, $64

// func gatherS(d, src *float32, ld, kb, cnt, w int, alpha float32)
// d[p*w+i] = alpha*src[i*ld+p] for i < cnt, p < kb; zero for cnt <= i < w.
// Requires AVX-512F, 1 <= cnt <= w <= 32 and 32*ld < 2^31.
TEXT ·gatherS(SB), NOSPLIT, $0-52
	MOVQ d+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kb+24(FP), BX
	MOVQ w+40(FP), R9
	VBROADCASTSS alpha+48(FP), Z31
	// Row offsets (elements) for lanes 0..15 and 16..31.
	VPBROADCASTD ld+16(FP), Z28
	VMOVDQU32 iota<>(SB), Z30
	VPMULLD Z28, Z30, Z30
	VPSLLD $4, Z28, Z27
	VPADDD Z27, Z30, Z29
	// Gather masks (cnt lanes) in R10/R11, store masks (w lanes) in K3/K4.
	MOVQ cnt+32(FP), CX
	MOVQ $1, R10
	SHLQ CX, R10
	DECQ R10
	MOVQ R10, R11
	SHRQ $16, R11
	MOVQ R9, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K3
	SHRQ $16, AX
	KMOVW AX, K4
	SHLQ $2, R9 // w in bytes
	TESTQ BX, BX
	JZ gs_done
	CMPQ R9, $64
	JGT gs_loop2

gs_loop1:
	KMOVW R10, K1
	VPXORD Z0, Z0, Z0
	VGATHERDPS (SI)(Z30*4), K1, Z0
	VMULPS Z31, Z0, Z0
	VMOVUPS Z0, K3, (DI)
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ BX
	JNZ gs_loop1
	JMP gs_done

gs_loop2:
	KMOVW R10, K1
	KMOVW R11, K2
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VGATHERDPS (SI)(Z30*4), K1, Z0
	VGATHERDPS (SI)(Z29*4), K2, Z1
	VMULPS Z31, Z0, Z0
	VMULPS Z31, Z1, Z1
	VMOVUPS Z0, K3, (DI)
	VMOVUPS Z1, K4, 64(DI)
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ BX
	JNZ gs_loop2

gs_done:
	VZEROUPPER
	RET

// func gatherD(d, src *float64, ld, kb, cnt, w int, alpha float64)
// As gatherS for float64, with 1 <= cnt <= w <= 16 and 16*ld < 2^31.
TEXT ·gatherD(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kb+24(FP), BX
	MOVQ w+40(FP), R9
	VBROADCASTSD alpha+48(FP), Z31
	VPBROADCASTD ld+16(FP), Y28
	VMOVDQU32 iota<>(SB), Y30
	VPMULLD Y28, Y30, Y30
	VPSLLD $3, Y28, Y27
	VPADDD Y27, Y30, Y29
	MOVQ cnt+32(FP), CX
	MOVQ $1, R10
	SHLQ CX, R10
	DECQ R10
	MOVQ R10, R11
	SHRQ $8, R11
	MOVQ R9, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K3
	SHRQ $8, AX
	KMOVW AX, K4
	SHLQ $3, R9
	TESTQ BX, BX
	JZ gd_done
	CMPQ R9, $64
	JGT gd_loop2

gd_loop1:
	KMOVW R10, K1
	VPXORQ Z0, Z0, Z0
	VGATHERDPD (SI)(Y30*8), K1, Z0
	VMULPD Z31, Z0, Z0
	VMOVUPD Z0, K3, (DI)
	ADDQ $8, SI
	ADDQ R9, DI
	DECQ BX
	JNZ gd_loop1
	JMP gd_done

gd_loop2:
	KMOVW R10, K1
	KMOVW R11, K2
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VGATHERDPD (SI)(Y30*8), K1, Z0
	VGATHERDPD (SI)(Y29*8), K2, Z1
	VMULPD Z31, Z0, Z0
	VMULPD Z31, Z1, Z1
	VMOVUPD Z0, K3, (DI)
	VMOVUPD Z1, K4, 64(DI)
	ADDQ $8, SI
	ADDQ R9, DI
	DECQ BX
	JNZ gd_loop2

gd_done:
	VZEROUPPER
	RET
