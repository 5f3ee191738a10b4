/*
 * The littlefs partition's files for the lin simulation build, kept in C
 * (malloc) instead of the XS heap: on the device the log lives in flash, so
 * the heap figures esp32:sim measures must not count it. The file double
 * (test-host/file.ts) reads and writes through these functions
 * (sim/axon-flash.js) when the simulation installs them (sim/sim-main.ts).
 * A plain list of named byte buffers; paths are compared as whole strings.
 */
#include "xsAll.h"
#include "xsmc.h"
#include <stdlib.h>
#include <string.h>

typedef struct FlashFile {
	struct FlashFile *next;
	char *path;
	uint8_t *data;
	size_t length;
	size_t capacity;
} FlashFile;

static FlashFile *gFiles = NULL;

static FlashFile *findFile(const char *path)
{
	for (FlashFile *file = gFiles; file != NULL; file = file->next)
		if (strcmp(file->path, path) == 0) return file;
	return NULL;
}

static char *copyPath(xsMachine *the, const char *path)
{
	char *copy = malloc(strlen(path) + 1);
	if (copy == NULL) xsUnknownError("axon-flash: out of memory");
	strcpy(copy, path);
	return copy;
}

/* length(path): the file's length, or -1 when there is none. */
void xs_axon_flash_length(xsMachine *the)
{
	FlashFile *file = findFile(xsmcToString(xsArg(0)));
	xsmcSetInteger(xsResult, file == NULL ? -1 : (xsIntegerValue)file->length);
}

/* read(path, offset, count): an ArrayBuffer of count bytes from offset (the caller keeps within the file). */
void xs_axon_flash_read(xsMachine *the)
{
	FlashFile *file = findFile(xsmcToString(xsArg(0)));
	xsIntegerValue offset = xsmcToInteger(xsArg(1));
	xsIntegerValue count = xsmcToInteger(xsArg(2));
	if (file == NULL || offset < 0 || count < 0 || (size_t)offset + (size_t)count > file->length) xsRangeError("axon-flash: read outside the file");
	xsmcSetArrayBuffer(xsResult, file->data + offset, count);
}

/* write(path, offset, bytes): creates the file if needed, writes an ArrayBuffer or a typed array at offset. */
void xs_axon_flash_write(xsMachine *the)
{
	const char *path = xsmcToString(xsArg(0));
	xsIntegerValue offset = xsmcToInteger(xsArg(1));
	void *bytes;
	xsUnsignedValue count;
	FlashFile *file = findFile(path);
	if (offset < 0) xsRangeError("axon-flash: negative offset");
	if (file == NULL) {
		file = calloc(1, sizeof(FlashFile));
		if (file == NULL) xsUnknownError("axon-flash: out of memory");
		file->path = copyPath(the, xsmcToString(xsArg(0)));
		file->next = gFiles;
		gFiles = file;
	}
	xsmcGetBufferReadable(xsArg(2), &bytes, &count);
	size_t end = (size_t)offset + count;
	if (end > file->capacity) {
		size_t capacity = file->capacity < 256 ? 256 : file->capacity;
		while (capacity < end) capacity *= 2;
		uint8_t *data = realloc(file->data, capacity);
		if (data == NULL) xsUnknownError("axon-flash: out of memory");
		memset(data + file->capacity, 0, capacity - file->capacity);
		file->data = data;
		file->capacity = capacity;
	}
	memcpy(file->data + offset, bytes, count);
	if (end > file->length) file->length = end;
}

/* remove(path): true when there was such a file. */
void xs_axon_flash_remove(xsMachine *the)
{
	const char *path = xsmcToString(xsArg(0));
	for (FlashFile **link = &gFiles; *link != NULL; link = &(*link)->next) {
		FlashFile *file = *link;
		if (strcmp(file->path, path) == 0) {
			*link = file->next;
			free(file->data);
			free(file->path);
			free(file);
			xsmcSetBoolean(xsResult, 1);
			return;
		}
	}
	xsmcSetBoolean(xsResult, 0);
}

/* rename(from, to): replaces a file at `to`; false when `from` does not exist. */
void xs_axon_flash_rename(xsMachine *the)
{
	FlashFile *file = findFile(xsmcToString(xsArg(0)));
	if (file == NULL) {
		xsmcSetBoolean(xsResult, 0);
		return;
	}
	char *to = copyPath(the, xsmcToString(xsArg(1)));
	FlashFile *existing = findFile(to);
	if (existing != NULL && existing != file) {
		for (FlashFile **link = &gFiles; *link != NULL; link = &(*link)->next)
			if (*link == existing) {
				*link = existing->next;
				break;
			}
		free(existing->data);
		free(existing->path);
		free(existing);
	}
	free(file->path);
	file->path = to;
	xsmcSetBoolean(xsResult, 1);
}

/* paths(): every file's path, oldest first. */
void xs_axon_flash_paths(xsMachine *the)
{
	xsIntegerValue count = 0, i;
	FlashFile *file;
	for (file = gFiles; file != NULL; file = file->next) count++;
	xsmcVars(1);
	xsmcSetNewArray(xsResult, count);
	for (file = gFiles, i = count - 1; file != NULL; file = file->next, i--) {
		xsmcSetString(xsVar(0), file->path);
		xsmcSetIndex(xsResult, i, xsVar(0));
	}
}
