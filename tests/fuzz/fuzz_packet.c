/* fuzz_packet.c - packet_parse on arbitrary bytes, checking the offsets it
 * returns stay inside the buffer. */
#include <stdlib.h>

#include "fuzz.h"
#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char op[16], addr[46];
	struct flow f;

	if (size > 70000)
		return 0;
	if (packet_parse(data, size, &f) < 0)
		return 0;
	/* the contract callers rely on to read the payload */
	if (f.l4_off > f.payload_off ||
	    (size_t)f.payload_off + f.payload_len > size)
		abort();
	(void)packet_proto_operand(&f, op, sizeof(op));
	(void)packet_proto_name(f.proto);
	(void)flow_addr_str(f.family, f.src, addr, sizeof(addr));
	(void)flow_addr_str(f.family, f.dst, addr, sizeof(addr));
	return 0;
}
