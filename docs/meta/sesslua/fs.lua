---@meta sesslua.fs
-- LuaCATS definitions of the C module sesslua.fs (core/lfsys.c), for
-- editors; never loaded by sesslua. tests/lua/test_api_docs.lua checks them
-- against the module and docs/lua-api.md. Every failure of the world
-- returns nil, "<path>: <reason>", "<ECODE>"; misuse raises. Every path
-- under the workflow's root is resolved beneath it: a link or `..` that
-- leads out is EXDEV, before anything is read or written.

local fs = {}

---Options of a write: `mode` for a file that is created (an integer, or an
---octal string such as "0644"); `exclusive` fails with EEXIST when the
---file exists.
---@class sesslua.fs.WriteOptions
---@field mode? integer|string
---@field exclusive? boolean

---Options of fs.update and fs.lock.
---@class sesslua.fs.LockOptions
---@field timeout_ms? integer how long to wait for a held lock (default 10000; 0 tries once)
---@field create? boolean fs.update only: call fn(nil) for a missing file
---@field mode? integer|string fs.update only: the mode of a created file

---What fs.stat says of a path (lstat).
---@class sesslua.fs.Stat
---@field type "file"|"dir"|"link"|"other"
---@field size integer bytes
---@field mtime number seconds since the epoch, with a fraction
---@field mode integer permission bits

---The exclusive lock of fs.lock; released by lock:release(), by leaving a
---`local <close>` scope, by the collector, or at exit.
---@class sesslua.fs.Lock
local Lock = {}

---The whole content of a file.
---@param path string
---@return string|nil text
---@return string|nil message "<path>: <reason>"
---@return string|nil code "ENOENT", "EISDIR", "EINVAL" (a FIFO), "EXDEV" (a link out of the root), ...
function fs.read(path) end

---Replace path with data atomically (temp file, fsync, rename, folder fsync).
---A link at path is refused (ELOOP), never replaced.
---@param path string
---@param data string
---@param opts? sesslua.fs.WriteOptions
---@return true|nil ok
---@return string|nil message
---@return string|nil code
function fs.write(path, data, opts) end

---Read-modify-write under the lock `<path>.lock`: fn(text) returns the new
---text (nil or the same text: nothing is written) and any extra values.
---@param path string
---@param fn fun(text: string|nil): string|nil, ...
---@param opts? sesslua.fs.LockOptions
---@return true|nil ok
---@return boolean|string|nil changed_or_message whether a new text was written; the message on failure
---@return any ... the code on failure; else the extra values fn returned
function fs.update(path, fn, opts) end

---Take the lock fs.update takes, and hold it until released.
---@param path string the file the lock protects
---@param opts? sesslua.fs.LockOptions only timeout_ms
---@return sesslua.fs.Lock|nil lock
---@return string|nil message
---@return string|nil code "ETIMEDOUT", "ELOOP", ...
function fs.lock(path, opts) end

---Drop the lock and remove its file; safe twice.
function Lock:release() end

---Rename from to to, never replacing an existing to unless overwrite.
---@param from string
---@param to string
---@param overwrite? boolean
---@return true|nil ok
---@return string|nil message
---@return string|nil code
function fs.move(from, to, overwrite) end

---The warnings of writes since the last call that are done but may not be
---durable; the list is emptied.
---@return string[] warnings
function fs.warnings() end

---Remove what killed writers left in dir (temp, probe and stale lock files).
---@param dir string
---@return integer|nil count
---@return string|nil message
---@return string|nil code
function fs.sweep(dir) end

---Whether a process holds an exclusive flock on the file (a writer on its
---temp file, a holder on its lock file); asks without waiting and changes
---nothing. Never follows a symlink.
---@param path string
---@return boolean|nil held
---@return string|nil message
---@return string|nil code
function fs.held(path) end

---mkdir -p with mode 0755; an existing folder is success.
---@param path string
---@return true|nil ok
---@return string|nil message
---@return string|nil code
function fs.mkdir(path) end

---The names in dir (sorted bytewise, no hidden names unless hidden), only
---those ending in suffix when given; with with_types, also each name's type.
---@param dir string
---@param suffix? string
---@param with_types? boolean
---@param hidden? boolean also names starting with "." (not "." and "..")
---@return string[]|nil names
---@return table<string, "file"|"dir"|"link"|"other">|string|nil types_or_message the types (with_types); the message on failure
---@return string|nil code
function fs.list(dir, suffix, with_types, hidden) end

---The entries of dir named a portable stem (letters, digits, ".", "_", "-";
---a letter or digit first; no "..") and suffix: the regular files in
---natural order (sys.natural_sort's), and apart the rest in bytewise order;
---with mark, also the indices of the names whose stem ends in a byte of
---mark.last or is longer than mark.over.
---@param dir string
---@param suffix string
---@param mark? {last?: string, over?: integer}
---@return string[]|nil names
---@return {name: string, type: "dir"|"link"|"other"}[]|string|nil others_or_message the rest; the message on failure
---@return integer[]|string|nil marked_or_code the marked indices (with mark); the code on failure
function fs.list_portable(dir, suffix, mark) end

---lstat: a symlink is described, not followed.
---@param path string
---@return sesslua.fs.Stat|nil info
---@return string|nil message
---@return string|nil code
function fs.stat(path) end

---Whether path exists (a dangling symlink does). Never fails.
---@param path string
---@return boolean
function fs.exists(path) end

---Remove a file, a symlink or an empty folder.
---@param path string
---@return true|nil ok
---@return string|nil message
---@return string|nil code
function fs.remove(path) end

---The absolute path with symlinks, `.` and `..` resolved.
---@param path string
---@return string|nil path
---@return string|nil message
---@return string|nil code
function fs.realpath(path) end

---POSIX dirname, as a string operation.
---@param path string
---@return string
function fs.dirname(path) end

---POSIX basename, as a string operation.
---@param path string
---@return string
function fs.basename(path) end

return fs
