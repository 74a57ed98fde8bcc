parseltongue_macros::slytherin! {
    record Click {
        page: string,
    }

    topic clicks {
        message: Click,
        partiton: 3,
        key: pages,
    }
}

fn main() {}
