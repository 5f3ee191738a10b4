/*
 * print() for the headless lin apps (esp32:sim, test:moddable): text to the
 * process's stdout, which the tools read. A release engine keeps trace() to
 * itself, and a debug engine (mxDebug) reports every thrown exception to the
 * debugger connection, which makes code that throws and catches often (the
 * protocol fuzzers, the babbling-bus tests) run many times slower.
 */
#include "xsAll.h"
#include "xsmc.h"
#include <stdio.h>

void xs_axon_stdout(xsMachine *the)
{
	fputs(xsmcToString(xsArg(0)), stdout);
	fflush(stdout);
}
