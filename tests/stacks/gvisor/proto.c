/*
 * proto.c - the runner's own request parser (runner/agent/proto.c), compiled into the gVisor
 * harness by cgo. cgo compiles only the C files of the Go package's own folder, so this file
 * includes the runner's source rather than copying it: the harness and tcpconform-agent share
 * one codec (issue 10), and a change to the protocol reaches both.
 */
#include "runner/agent/proto.c"
