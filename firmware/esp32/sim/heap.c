/*
 * The XS heap figures the lin build's instrumentation keeps (xsMemory.c):
 * chunk bytes in use and their peak, slots in use and their peak, and the
 * size of one slot on this build (16 bytes on the ESP32, 32 on 64-bit Linux),
 * so the ESP32's figure can be derived from the slot counts, and the deepest
 * the stack has been (slots from its top; an mxInstrument build only, else -1).
 * And a reset: a
 * full collection, then the peaks set to what is live and to the stack's
 * current depth, so the peaks that follow are those of what runs afterwards.
 */
#include "xsAll.h"
#include "xsmc.h"

void xs_axon_heap_figures(xsMachine *the)
{
	txMachine *machine = (txMachine *)the;
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 6);
	xsmcSetInteger(xsVar(0), (xsIntegerValue)machine->currentChunksSize);
	xsmcSetIndex(xsResult, 0, xsVar(0));
	xsmcSetInteger(xsVar(0), (xsIntegerValue)machine->peakChunksSize);
	xsmcSetIndex(xsResult, 1, xsVar(0));
	xsmcSetInteger(xsVar(0), (xsIntegerValue)machine->currentHeapCount);
	xsmcSetIndex(xsResult, 2, xsVar(0));
	xsmcSetInteger(xsVar(0), (xsIntegerValue)machine->peakHeapCount);
	xsmcSetIndex(xsResult, 3, xsVar(0));
	xsmcSetInteger(xsVar(0), (xsIntegerValue)sizeof(txSlot));
	xsmcSetIndex(xsResult, 4, xsVar(0));
#ifdef mxInstrument
	xsmcSetInteger(xsVar(0), (xsIntegerValue)(machine->stackTop - machine->stackPeak));
#else
	xsmcSetInteger(xsVar(0), -1);
#endif
	xsmcSetIndex(xsResult, 5, xsVar(0));
}

void xs_axon_heap_reset(xsMachine *the)
{
	txMachine *machine = (txMachine *)the;
	xsCollectGarbage();
	machine->peakChunksSize = machine->currentChunksSize;
	machine->peakHeapCount = machine->currentHeapCount;
#ifdef mxInstrument
	machine->stackPeak = machine->stack;
#endif
}
