//! mandelbrot: the Mandelbrot set on a 1,600 × 1,600 bitmap, eight pixels a
//! byte, printed as a checksum of the bytes.

const SIZE: usize = 1_600;
const ITERATIONS: usize = 50;

/// The bytes of row `y`, and how many of its pixels are in the set.
fn row_bytes(y: usize) -> (Vec<u8>, i64) {
    let ci = 2.0 * y as f64 / SIZE as f64 - 1.0;
    let mut bytes = Vec::with_capacity(SIZE.div_ceil(8));
    let mut byte = 0u8;
    let mut inside_count = 0;
    for x in 0..SIZE {
        let cr = 2.0 * x as f64 / SIZE as f64 - 1.5;
        let (mut zr, mut zi) = (0.0f64, 0.0f64);
        let mut inside = true;
        for _ in 0..ITERATIONS {
            let next_zr = zr * zr - zi * zi + cr;
            zi = 2.0 * zr * zi + ci;
            zr = next_zr;
            if zr * zr + zi * zi > 4.0 {
                inside = false;
                break;
            }
        }
        byte = (byte << 1) | u8::from(inside);
        inside_count += i64::from(inside);
        if x % 8 == 7 {
            bytes.push(byte);
            byte = 0;
        }
    }
    if SIZE % 8 != 0 {
        bytes.push(byte << (8 - SIZE % 8));
    }
    (bytes, inside_count)
}

fn main() {
    let mut checksum: i64 = 0;
    let mut set_pixels: i64 = 0;
    for y in 0..SIZE {
        let (bytes, inside) = row_bytes(y);
        for byte in bytes {
            checksum = (checksum * 31 + i64::from(byte)) % 1_000_000_007;
        }
        set_pixels += inside;
    }
    println!("P4 {SIZE} {SIZE}");
    println!("pixels in the set: {set_pixels}");
    println!("checksum: {checksum}");
}
