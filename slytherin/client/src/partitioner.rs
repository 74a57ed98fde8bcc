//! Where a keyed record goes: Kafka's default partitioner, so keys land on
//! the partitions Java clients (and librdkafka's `murmur2` partitioner)
//! put them on.

/// The 32-bit murmur2 hash of `key` with the seed Kafka uses, as Java's
/// `Utils.murmur2` returns it.
pub fn murmur2(key: &[u8]) -> i32 {
    murmur2::murmur2(key, murmur2::KAFKA_SEED) as i32
}

/// The partition of `partitions` a record with `key` goes to:
/// `toPositive(murmur2(key)) % partitions`, as in Kafka's default
/// partitioner. `partitions` must be positive.
pub fn partition_for_key(key: &[u8], partitions: usize) -> i32 {
    let positive = (murmur2(key) & 0x7fff_ffff) as usize;
    (positive % partitions.max(1)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's own test vectors for `Utils.murmur2` (`UtilsTest.testMurmur2`).
    #[test]
    fn murmur2_matches_kafka() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107),
        ];
        for (key, expected) in cases {
            assert_eq!(murmur2(key), expected, "{}", String::from_utf8_lossy(key));
        }
    }
}
