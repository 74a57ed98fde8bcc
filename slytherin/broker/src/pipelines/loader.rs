//! Loading a program's pipelines from its library: the broker's one
//! module with `unsafe` code. Everything past it is safe: a
//! [`LoadedPipeline`] makes [`Processor`]s, each owning its handle on the
//! library's side and freeing it when dropped; the library stays loaded
//! while any of them lives.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::path::Path;
use std::sync::Arc;

use slytherin_runtime::ffi::{
    ByteRange, CountersC, Exports, PipelineExport, ABI_VERSION, ENTRY_POINT,
};

/// A loaded library and its table of pipelines.
struct Library {
    /// Kept so the code stays mapped.
    _library: libloading::Library,
    exports: *const Exports,
}

// SAFETY: the export table is immutable after the library built it, and
// its functions may be called from any thread (each processor by one
// thread at a time, which `Processor: !Sync` ensures).
unsafe impl Send for Library {}
// SAFETY: as above.
unsafe impl Sync for Library {}

impl Library {
    fn entry(&self, index: usize) -> &PipelineExport {
        // SAFETY: `index < count` was checked when the pipeline was listed,
        // and the table lives as long as the library.
        unsafe { &*(*self.exports).pipelines.add(index) }
    }
}

/// One pipeline of a loaded library.
#[derive(Clone)]
pub struct LoadedPipeline {
    library: Arc<Library>,
    index: usize,
    /// Its name.
    pub name: String,
    /// The topic it reads.
    pub from: String,
    /// The topic it writes.
    pub to: String,
    /// The topics its joins read as tables, by index.
    pub tables: Vec<String>,
}

/// Tells when a library is unloaded: once no pipeline, processor or host
/// of it is left.
#[derive(Clone, Debug)]
pub struct LibraryInUse(std::sync::Weak<Library>);

impl LibraryInUse {
    /// Whether any pipeline or processor of the library is left.
    pub fn in_use(&self) -> bool {
        self.0.strong_count() > 0
    }
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Library")
    }
}

impl LoadedPipeline {
    /// What tells when the pipeline's library is unloaded.
    pub fn library_in_use(&self) -> LibraryInUse {
        LibraryInUse(Arc::downgrade(&self.library))
    }
}

impl std::fmt::Debug for LoadedPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPipeline")
            .field("name", &self.name)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("tables", &self.tables)
            .finish()
    }
}

fn text(range: ByteRange, what: &str) -> Result<String, String> {
    // SAFETY: the ranges point at the library's static strings.
    let bytes = unsafe { range.bytes() };
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("the pipeline's {what} is not UTF-8"))
}

/// Loads the library at `path` and lists its pipelines.
///
/// # Errors
/// When it is not a library, has no pipelines entry point, or was built
/// for another version of the interface.
pub fn load(path: &Path) -> Result<Vec<LoadedPipeline>, String> {
    // SAFETY: loading runs the library's initialisers; a pipeline library
    // is a program compiled by Parseltongue, whose generated code has none
    // beyond the standard library's.
    let library = unsafe { libloading::Library::new(path) }
        .map_err(|e| format!("cannot load `{}`: {e}", path.display()))?;
    let exports = {
        // SAFETY: the entry point has this signature in every library built
        // against this interface (`export_pipelines!`).
        let entry: libloading::Symbol<'_, extern "C" fn() -> *const Exports> =
            unsafe { library.get(ENTRY_POINT) }.map_err(|_| {
                format!(
                    "`{}` has no pipelines (no `{}` entry point): build a program with `pipeline` blocks as a library",
                    path.display(),
                    String::from_utf8_lossy(&ENTRY_POINT[..ENTRY_POINT.len() - 1])
                )
            })?;
        entry()
    };
    if exports.is_null() {
        return Err(format!("`{}` gave no pipeline table", path.display()));
    }
    // SAFETY: non-null, built by `ExportTable` and static in the library.
    let (version, count) = unsafe { ((*exports).abi_version, (*exports).count) };
    if version != ABI_VERSION {
        return Err(format!(
            "`{}` was built for pipeline interface {version}; this broker hosts {ABI_VERSION}: rebuild it",
            path.display()
        ));
    }
    let library = Arc::new(Library {
        _library: library,
        exports,
    });
    (0..count as usize)
        .map(|index| {
            let entry = library.entry(index);
            let tables = (0..entry.table_count as usize)
                .map(|table| {
                    // SAFETY: the library's table of `table_count` names,
                    // static in the library.
                    let name = unsafe { *entry.tables.add(table) };
                    text(name, "table topic")
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(LoadedPipeline {
                name: text(entry.name, "name")?,
                from: text(entry.from, "input topic")?,
                to: text(entry.to, "output topic")?,
                tables,
                library: Arc::clone(&library),
                index,
            })
        })
        .collect()
}

/// Why a processor stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessorError {
    /// The pipeline's code panicked; the processor is not used again.
    Panicked,
    /// A snapshot could not be restored.
    BadSnapshot,
}

/// The processing of one input partition, on the library's side.
pub struct Processor {
    pipeline: LoadedPipeline,
    handle: *mut c_void,
}

// SAFETY: a processor is used by one thread at a time (it is not `Sync`);
// moving it to the core that hosts it is what the interface allows.
unsafe impl Send for Processor {}

/// What one processed record wrote: key and value of each output.
pub type Outputs = Vec<(Option<Vec<u8>>, Vec<u8>)>;

unsafe extern "C" fn collect_output(
    sink: *mut c_void,
    key: ByteRange,
    has_key: u8,
    value: ByteRange,
) {
    // SAFETY: `sink` is the `Outputs` `process` passed, live for the call;
    // the ranges are live for the call.
    let (outputs, key, value) =
        unsafe { (&mut *(sink as *mut Outputs), key.bytes(), value.bytes()) };
    outputs.push(((has_key != 0).then(|| key.to_vec()), value.to_vec()));
}

unsafe extern "C" fn collect_bytes(sink: *mut c_void, bytes: ByteRange) {
    // SAFETY: `sink` is the `Vec<u8>` `snapshot` passed; the range is live.
    let (out, bytes) = unsafe { (&mut *(sink as *mut Vec<u8>), bytes.bytes()) };
    out.extend_from_slice(bytes);
}

impl LoadedPipeline {
    /// A fresh processor of one input partition.
    ///
    /// # Errors
    /// When the pipeline's code panicked while creating it.
    pub fn processor(&self) -> Result<Processor, ProcessorError> {
        let entry = self.library.entry(self.index);
        // SAFETY: `spec` is the value the table stored for `create`.
        let handle = unsafe { (entry.create)(entry.spec) };
        if handle.is_null() {
            return Err(ProcessorError::Panicked);
        }
        Ok(Processor {
            pipeline: self.clone(),
            handle,
        })
    }
}

impl Processor {
    fn entry(&self) -> &PipelineExport {
        self.pipeline.library.entry(self.pipeline.index)
    }

    /// Processes one record, appending what it writes to `outputs`.
    ///
    /// # Errors
    /// When the pipeline's code panicked.
    pub fn process(
        &mut self,
        offset: i64,
        value: Option<&[u8]>,
        outputs: &mut Outputs,
    ) -> Result<(), ProcessorError> {
        let (range, has_value) = ByteRange::of_option(value);
        let sink = outputs as *mut Outputs as *mut c_void;
        // SAFETY: the handle is live; the range and sink outlive the call.
        let status = unsafe {
            (self.entry().process)(self.handle, offset, range, has_value, sink, collect_output)
        };
        if status == 0 {
            Ok(())
        } else {
            Err(ProcessorError::Panicked)
        }
    }

    /// The processor's state.
    ///
    /// # Errors
    /// When the pipeline's code panicked.
    pub fn snapshot(&self) -> Result<Vec<u8>, ProcessorError> {
        let mut out: Vec<u8> = Vec::new();
        let sink = &mut out as *mut Vec<u8> as *mut c_void;
        // SAFETY: as in `process`.
        let status = unsafe { (self.entry().snapshot)(self.handle, sink, collect_bytes) };
        if status == 0 {
            Ok(out)
        } else {
            Err(ProcessorError::Panicked)
        }
    }

    /// Restores a state [`Processor::snapshot`] gave.
    ///
    /// # Errors
    /// When the bytes are not such a state.
    pub fn restore(&mut self, snapshot: &[u8]) -> Result<(), ProcessorError> {
        // SAFETY: as in `process`.
        let status = unsafe { (self.entry().restore)(self.handle, ByteRange::of(snapshot)) };
        if status == 0 {
            Ok(())
        } else {
            Err(ProcessorError::BadSnapshot)
        }
    }

    /// Applies one record of table `table` (an index into
    /// [`LoadedPipeline::tables`]).
    ///
    /// # Errors
    /// When the pipeline's code panicked.
    pub fn update_table(
        &mut self,
        table: usize,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> Result<(), ProcessorError> {
        let ((key, has_key), (value, has_value)) =
            (ByteRange::of_option(key), ByteRange::of_option(value));
        // SAFETY: as in `process`.
        let status = unsafe {
            (self.entry().update_table)(self.handle, table as u32, key, has_key, value, has_value)
        };
        if status == 0 {
            Ok(())
        } else {
            Err(ProcessorError::Panicked)
        }
    }

    /// What it counted.
    pub fn counters(&self) -> CountersC {
        // SAFETY: as in `process`.
        unsafe { (self.entry().counters)(self.handle) }
    }
}

impl Drop for Processor {
    fn drop(&mut self) {
        // SAFETY: the handle came from `create` and is destroyed once.
        unsafe { (self.entry().destroy)(self.handle) };
    }
}
