// Heap figures from the engine (heap.c); lin simulator builds only.
function figures() @ "xs_axon_heap_figures";
function reset() @ "xs_axon_heap_reset";

export function heapFigures() {
	const [chunkBytes, chunkPeakBytes, slots, slotPeak, slotBytes, stackPeakSlots] = figures();
	return { chunkBytes, chunkPeakBytes, slots, slotPeak, slotBytes, stackPeakSlots };
}

// A full garbage collection, then the peaks start again from what is live.
export function resetHeapPeaks() {
	reset();
}
