//! The C interface between a program's compiled pipelines (a `cdylib`)
//! and the broker that hosts them: one entry point, [`ENTRY_POINT`], gives
//! a table of pipelines, each with plain `extern "C"` functions that pass
//! only integers and borrowed byte ranges. No Rust type, allocation or
//! panic crosses it: outputs and snapshots come back through callbacks
//! that copy them, and a panic in a pipeline's code is caught on its side
//! and reported as a status.
//!
//! Both sides use this module's types, so the layout has one definition;
//! [`ABI_VERSION`] changes whenever it does.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::pipeline::{Counters, InputRecord, OutputRecord, PipelineSpec, Processor};

/// The version of this interface; a host refuses a library of another.
pub const ABI_VERSION: u32 = 2;

/// The symbol a pipeline library exports (with its NUL).
pub const ENTRY_POINT: &[u8] = b"slytherin_pipelines_v2\0";

/// A borrowed byte range, valid for the duration of one call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ByteRange {
    /// The first byte (dangling but non-null when empty).
    pub ptr: *const u8,
    /// How many bytes.
    pub len: usize,
}

impl ByteRange {
    /// The range of `bytes`.
    pub fn of(bytes: &[u8]) -> ByteRange {
        ByteRange {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    /// The range of `bytes` if there are any, and the flag the interface
    /// passes beside it (1 for some, 0 for none).
    pub fn of_option(bytes: Option<&[u8]>) -> (ByteRange, u8) {
        match bytes {
            Some(bytes) => (ByteRange::of(bytes), 1),
            None => (ByteRange::of(&[]), 0),
        }
    }

    /// The bytes.
    ///
    /// # Safety
    /// `self` must describe live, initialised memory for the lifetime
    /// chosen, as every range handed across this interface does for the
    /// duration of the call.
    pub unsafe fn bytes<'a>(self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the caller guarantees the range is live and initialised.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Receives one output record: the sink, the key (`has_key` 0 for none)
/// and the value.
pub type EmitFn =
    unsafe extern "C" fn(sink: *mut c_void, key: ByteRange, has_key: u8, value: ByteRange);

/// Receives bytes (a snapshot).
pub type WriteFn = unsafe extern "C" fn(sink: *mut c_void, bytes: ByteRange);

/// What a processor counted, in C layout.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct CountersC {
    /// Input records processed.
    pub processed: u64,
    /// Input records that were not a valid message.
    pub undecodable: u64,
    /// Messages that came after their windows closed.
    pub late: u64,
    /// Output records written.
    pub emitted: u64,
}

/// One pipeline of a library.
#[repr(C)]
pub struct PipelineExport {
    /// Its name (UTF-8).
    pub name: ByteRange,
    /// The topic it reads.
    pub from: ByteRange,
    /// The topic it writes.
    pub to: ByteRange,
    /// The topics its joins read as tables (names), by index.
    pub tables: *const ByteRange,
    /// How many tables.
    pub table_count: u32,
    /// Passed back to `create`.
    pub spec: *const c_void,
    /// A new processor of one input partition; null if creating it panicked.
    pub create: unsafe extern "C" fn(spec: *const c_void) -> *mut c_void,
    /// Processes one input record (`has_value` 0 for a tombstone); 0 on
    /// success, 1 if the pipeline's code panicked (nothing was emitted
    /// then, and the processor must not be used again).
    pub process: unsafe extern "C" fn(
        processor: *mut c_void,
        offset: i64,
        value: ByteRange,
        has_value: u8,
        sink: *mut c_void,
        emit: EmitFn,
    ) -> i32,
    /// Writes the processor's state; 0 on success.
    pub snapshot:
        unsafe extern "C" fn(processor: *mut c_void, sink: *mut c_void, write: WriteFn) -> i32,
    /// Restores a state `snapshot` wrote; 0 on success.
    pub restore: unsafe extern "C" fn(processor: *mut c_void, snapshot: ByteRange) -> i32,
    /// What the processor counted.
    pub counters: unsafe extern "C" fn(processor: *const c_void) -> CountersC,
    /// Applies one record of table `table` (`has_key`/`has_value` 0 for
    /// none); 0 on success, 1 if the pipeline's code panicked.
    pub update_table: unsafe extern "C" fn(
        processor: *mut c_void,
        table: u32,
        key: ByteRange,
        has_key: u8,
        value: ByteRange,
        has_value: u8,
    ) -> i32,
    /// Frees a processor.
    pub destroy: unsafe extern "C" fn(processor: *mut c_void),
}

/// What the entry point returns.
#[repr(C)]
pub struct Exports {
    /// [`ABI_VERSION`] of the library.
    pub abi_version: u32,
    /// How many pipelines.
    pub count: u32,
    /// The pipelines.
    pub pipelines: *const PipelineExport,
}

/// The table a library builds once and hands out by pointer.
pub struct ExportTable {
    exports: Exports,
    _entries: Vec<PipelineExport>,
    _tables: Vec<Vec<ByteRange>>,
}

// SAFETY: the table only points into itself and at `'static` data (the
// pipelines' specs and names), and is never changed after it is built.
unsafe impl Send for ExportTable {}
// SAFETY: as above; it is read-only.
unsafe impl Sync for ExportTable {}

impl ExportTable {
    /// The table of `pipelines`.
    pub fn new(pipelines: &[&'static PipelineSpec]) -> ExportTable {
        let tables: Vec<Vec<ByteRange>> = pipelines
            .iter()
            .map(|spec| {
                spec.tables
                    .iter()
                    .map(|table| ByteRange::of(table.topic.name.as_bytes()))
                    .collect()
            })
            .collect();
        let entries: Vec<PipelineExport> = pipelines
            .iter()
            .zip(&tables)
            .map(|(spec, tables)| PipelineExport {
                name: ByteRange::of(spec.name.as_bytes()),
                from: ByteRange::of(spec.from.name.as_bytes()),
                to: ByteRange::of(spec.to.name.as_bytes()),
                tables: tables.as_ptr(),
                table_count: tables.len() as u32,
                spec: *spec as *const PipelineSpec as *const c_void,
                create,
                process,
                snapshot,
                restore,
                counters,
                update_table,
                destroy,
            })
            .collect();
        ExportTable {
            exports: Exports {
                abi_version: ABI_VERSION,
                count: entries.len() as u32,
                pipelines: entries.as_ptr(),
            },
            _entries: entries,
            _tables: tables,
        }
    }

    /// What the entry point returns.
    pub fn exports(&self) -> *const Exports {
        &self.exports
    }
}

/// A processor behind the interface: the boxed trait object, boxed again
/// so a thin pointer crosses.
type Handle = Box<dyn Processor>;

unsafe extern "C" fn create(spec: *const c_void) -> *mut c_void {
    // SAFETY: `spec` is the `&'static PipelineSpec` the table stored.
    let spec = unsafe { &*(spec as *const PipelineSpec) };
    match catch_unwind(|| (spec.processor)()) {
        Ok(processor) => Box::into_raw(Box::new(processor)) as *mut c_void,
        Err(_) => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn process(
    processor: *mut c_void,
    offset: i64,
    value: ByteRange,
    has_value: u8,
    sink: *mut c_void,
    emit: EmitFn,
) -> i32 {
    // SAFETY: `processor` came from `create` and is used by one caller at a
    // time; `value` is live for this call.
    let (processor, value) = unsafe { (&mut *(processor as *mut Handle), value.bytes()) };
    let mut out: Vec<OutputRecord> = Vec::new();
    let record = InputRecord {
        offset,
        value: (has_value != 0).then_some(value),
    };
    if catch_unwind(AssertUnwindSafe(|| processor.process(record, &mut out))).is_err() {
        return 1;
    }
    for output in &out {
        let (key, has_key) = ByteRange::of_option(output.key.as_deref());
        // SAFETY: the host's callback copies the ranges during the call.
        unsafe { emit(sink, key, has_key, ByteRange::of(&output.value)) };
    }
    0
}

unsafe extern "C" fn snapshot(processor: *mut c_void, sink: *mut c_void, write: WriteFn) -> i32 {
    // SAFETY: as in `process`.
    let processor = unsafe { &*(processor as *const Handle) };
    match catch_unwind(AssertUnwindSafe(|| processor.snapshot())) {
        Ok(bytes) => {
            // SAFETY: the host's callback copies the range during the call.
            unsafe { write(sink, ByteRange::of(&bytes)) };
            0
        }
        Err(_) => 1,
    }
}

unsafe extern "C" fn restore(processor: *mut c_void, snapshot: ByteRange) -> i32 {
    // SAFETY: as in `process`.
    let (processor, bytes) = unsafe { (&mut *(processor as *mut Handle), snapshot.bytes()) };
    match catch_unwind(AssertUnwindSafe(|| processor.restore(bytes))) {
        Ok(Ok(())) => 0,
        _ => 1,
    }
}

unsafe extern "C" fn counters(processor: *const c_void) -> CountersC {
    // SAFETY: as in `process`.
    let processor = unsafe { &*(processor as *const Handle) };
    let Counters {
        processed,
        undecodable,
        late,
        emitted,
    } = processor.counters();
    CountersC {
        processed,
        undecodable,
        late,
        emitted,
    }
}

unsafe extern "C" fn update_table(
    processor: *mut c_void,
    table: u32,
    key: ByteRange,
    has_key: u8,
    value: ByteRange,
    has_value: u8,
) -> i32 {
    // SAFETY: as in `process`.
    let (processor, key, value) =
        unsafe { (&mut *(processor as *mut Handle), key.bytes(), value.bytes()) };
    let key = (has_key != 0).then_some(key);
    let value = (has_value != 0).then_some(value);
    match catch_unwind(AssertUnwindSafe(|| {
        processor.update_table(table as usize, key, value)
    })) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

unsafe extern "C" fn destroy(processor: *mut c_void) {
    if !processor.is_null() {
        // SAFETY: `processor` came from `create` and is destroyed once.
        drop(unsafe { Box::from_raw(processor as *mut Handle) });
    }
}

/// Exports a program's pipelines for a broker to host: the entry point
/// [`ENTRY_POINT`] of the library the program is built as.
#[macro_export]
macro_rules! export_pipelines {
    ($($pipeline:path),+ $(,)?) => {
        #[no_mangle]
        #[doc(hidden)]
        pub extern "C" fn slytherin_pipelines_v2() -> *const $crate::ffi::Exports {
            static TABLE: ::std::sync::OnceLock<$crate::ffi::ExportTable> = ::std::sync::OnceLock::new();
            TABLE
                .get_or_init(|| $crate::ffi::ExportTable::new(&[$(&$pipeline),+]))
                .exports()
        }
    };
}
