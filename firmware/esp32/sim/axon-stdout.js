// Text to the process's stdout (stdout.c); lin simulator builds only.
function write() @ "xs_axon_stdout";

export function print(text) {
	write(String(text));
}
