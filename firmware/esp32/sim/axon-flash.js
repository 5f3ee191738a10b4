// The littlefs files kept in C (flash.c), outside the XS heap; lin simulator builds only.
function length(path) @ "xs_axon_flash_length";
function read(path, offset, count) @ "xs_axon_flash_read";
function write(path, offset, bytes) @ "xs_axon_flash_write";
function remove(path) @ "xs_axon_flash_remove";
function rename(from, to) @ "xs_axon_flash_rename";
function paths() @ "xs_axon_flash_paths";

export const nativeFlash = Object.freeze({
	length(path) {
		const n = length(path);
		return n < 0 ? undefined : n;
	},
	read(path, offset, count) {
		return new Uint8Array(read(path, offset, count));
	},
	write(path, offset, bytes) {
		write(path, offset, bytes);
	},
	delete(path) {
		return remove(path);
	},
	rename(from, to) {
		return rename(from, to);
	},
	paths() {
		return paths();
	},
});
