//! fannkuch-redux: pancake flips over every permutation of 10 items.

const N: usize = 10;

fn fannkuch(n: usize) -> (i64, i64) {
    let mut permutation: Vec<usize> = (0..n).collect();
    let mut flipped = vec![0; n];
    let mut count = vec![0; n];
    let mut max_flips = 0;
    let mut checksum = 0;
    let mut permutation_index = 0;
    let mut r = n;
    loop {
        while r != 1 {
            count[r - 1] = r;
            r -= 1;
        }
        flipped.copy_from_slice(&permutation);
        let mut flips = 0;
        let mut first = flipped[0];
        while first != 0 {
            flipped[..=first].reverse();
            flips += 1;
            first = flipped[0];
        }
        max_flips = max_flips.max(flips);
        checksum += if permutation_index % 2 == 0 { flips } else { -flips };
        loop {
            if r == n {
                return (checksum, max_flips);
            }
            permutation[..=r].rotate_left(1);
            count[r] -= 1;
            if count[r] > 0 {
                break;
            }
            r += 1;
        }
        permutation_index += 1;
    }
}

fn main() {
    let (checksum, max_flips) = fannkuch(N);
    println!("{checksum}");
    println!("Pfannkuchen({N}) = {max_flips}");
}
