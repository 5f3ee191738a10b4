// Heap figures from the engine (heap.c); lin simulator builds only.
function figures() @ "xs_axon_heap_figures";

export function heapFigures() {
	const [chunkBytes, chunkPeakBytes, slots, slotPeak, slotBytes] = figures();
	return { chunkBytes, chunkPeakBytes, slots, slotPeak, slotBytes };
}
