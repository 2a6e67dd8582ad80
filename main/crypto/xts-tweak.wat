;; The XTS tweak arithmetic for main/crypto/xts.ts, in WebAssembly SIMD: the AES itself stays in OpenSSL
;; (AES-ECB contexts); this module only does what JavaScript is slow at — 128-bit doubling in GF(2^128) and the
;; XOR of every 16-byte block with its tweak.
;;
;; Compiled by scripts/build-wasm.mjs into xts-tweak-wasm.ts; a unit test fails when the two differ.
;; All offsets are byte offsets in this module's memory, laid out by the caller.
(module
  (memory (export "memory") 1)

  ;; For each of `sectors` sectors s (32 blocks of 16 bytes each): T = first[s]; for each block p,
  ;; tweaks[p] = T, work[p] = data[p] XOR T, T = T·α.
  ;; T·α in GF(2^128), XTS's little-endian convention (IEEE 1619): shift the 128-bit value left by one bit; the
  ;; bit leaving the low half enters the high half, and when bit 127 leaves, 0x87 is XORed into the low byte. The
  ;; shuffle gives each half's top bit as a lane mask, halves swapped: [bit 127, bit 63].
  ;; Each T·α needs the one before it, so one sector's chain is bound by the latency of those five instructions;
  ;; four sectors' chains side by side keep the SIMD unit busy (the tweaks took ~3× longer one chain at a time).
  (func (export "mask") (param $first i32) (param $sectors i32) (param $tweaks i32) (param $data i32) (param $work i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $block i32) (local $p i32) (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $first) (i32.shl (local.get $sectors) (i32.const 4))))
    (local.set $end4 (i32.add (local.get $first) (i32.shl (i32.and (local.get $sectors) (i32.const -4)) (i32.const 4))))
    (block $done4
      (loop $group
        (br_if $done4 (i32.ge_u (local.get $first) (local.get $end4)))
        (local.set $t0 (v128.load (local.get $first)))
        (local.set $t1 (v128.load offset=16 (local.get $first)))
        (local.set $t2 (v128.load offset=32 (local.get $first)))
        (local.set $t3 (v128.load offset=48 (local.get $first)))
        (local.set $block (i32.const 32))
        (loop $blocks4
          (v128.store (i32.add (local.get $tweaks) (local.get $p)) (local.get $t0))
          (v128.store (i32.add (local.get $work) (local.get $p))
            (v128.xor (v128.load (i32.add (local.get $data) (local.get $p))) (local.get $t0)))
          (v128.store (i32.add (local.get $tweaks) (i32.add (local.get $p) (i32.const 512))) (local.get $t1))
          (v128.store (i32.add (local.get $work) (i32.add (local.get $p) (i32.const 512)))
            (v128.xor (v128.load (i32.add (local.get $data) (i32.add (local.get $p) (i32.const 512)))) (local.get $t1)))
          (v128.store (i32.add (local.get $tweaks) (i32.add (local.get $p) (i32.const 1024))) (local.get $t2))
          (v128.store (i32.add (local.get $work) (i32.add (local.get $p) (i32.const 1024)))
            (v128.xor (v128.load (i32.add (local.get $data) (i32.add (local.get $p) (i32.const 1024)))) (local.get $t2)))
          (v128.store (i32.add (local.get $tweaks) (i32.add (local.get $p) (i32.const 1536))) (local.get $t3))
          (v128.store (i32.add (local.get $work) (i32.add (local.get $p) (i32.const 1536)))
            (v128.xor (v128.load (i32.add (local.get $data) (i32.add (local.get $p) (i32.const 1536)))) (local.get $t3)))
          (local.set $t0
            (v128.xor
              (i64x2.shl (local.get $t0) (i32.const 1))
              (v128.and
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (i64x2.shr_s (local.get $t0) (i32.const 63))
                  (i64x2.shr_s (local.get $t0) (i32.const 63)))
                (v128.const i64x2 0x87 1))))
          (local.set $t1
            (v128.xor
              (i64x2.shl (local.get $t1) (i32.const 1))
              (v128.and
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (i64x2.shr_s (local.get $t1) (i32.const 63))
                  (i64x2.shr_s (local.get $t1) (i32.const 63)))
                (v128.const i64x2 0x87 1))))
          (local.set $t2
            (v128.xor
              (i64x2.shl (local.get $t2) (i32.const 1))
              (v128.and
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (i64x2.shr_s (local.get $t2) (i32.const 63))
                  (i64x2.shr_s (local.get $t2) (i32.const 63)))
                (v128.const i64x2 0x87 1))))
          (local.set $t3
            (v128.xor
              (i64x2.shl (local.get $t3) (i32.const 1))
              (v128.and
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (i64x2.shr_s (local.get $t3) (i32.const 63))
                  (i64x2.shr_s (local.get $t3) (i32.const 63)))
                (v128.const i64x2 0x87 1))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $block (i32.sub (local.get $block) (i32.const 1)))
          (br_if $blocks4 (local.get $block)))
        (local.set $p (i32.add (local.get $p) (i32.const 1536)))
        (local.set $first (i32.add (local.get $first) (i32.const 64)))
        (br $group)))
    (block $done
      (loop $sector
        (br_if $done (i32.ge_u (local.get $first) (local.get $end)))
        (local.set $t0 (v128.load (local.get $first)))
        (local.set $block (i32.const 32))
        (loop $blocks
          (v128.store (i32.add (local.get $tweaks) (local.get $p)) (local.get $t0))
          (v128.store (i32.add (local.get $work) (local.get $p))
            (v128.xor (v128.load (i32.add (local.get $data) (local.get $p))) (local.get $t0)))
          (local.set $t0
            (v128.xor
              (i64x2.shl (local.get $t0) (i32.const 1))
              (v128.and
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                  (i64x2.shr_s (local.get $t0) (i32.const 63))
                  (i64x2.shr_s (local.get $t0) (i32.const 63)))
                (v128.const i64x2 0x87 1))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $block (i32.sub (local.get $block) (i32.const 1)))
          (br_if $blocks (local.get $block)))
        (local.set $first (i32.add (local.get $first) (i32.const 16)))
        (br $sector))))

  ;; out[p] = out[p] XOR tweaks[p] for the `bytes` bytes (a multiple of 16) at `out`.
  (func (export "unmask") (param $out i32) (param $tweaks i32) (param $bytes i32)
    (local $p i32)
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $bytes)))
        (v128.store (i32.add (local.get $out) (local.get $p))
          (v128.xor
            (v128.load (i32.add (local.get $out) (local.get $p)))
            (v128.load (i32.add (local.get $tweaks) (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks))))
)
