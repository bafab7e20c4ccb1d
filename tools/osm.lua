-- SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
-- Wireshark/tshark dissector for osm-fabric circuit frames (EtherType
-- 0x88B5), after docs/protocol.md and include/osm_proto.h.
--   tshark -X lua_script:tools/osm.lua -r f.pcap -V
-- Payloads are ChaCha20-Poly1305 ciphertext under end-to-end keys that
-- only endpoints hold, so the dissector shows them as bytes. Control
-- messages are decoded only where the capture holds them in clear: frames
-- written by `osm-pktgen --plaintext-ctrl` (flags bit 0x80, a test-only
-- marker that no switch forwards), or every control frame when the
-- preference "osm.ctrl_in_clear" is set (captures made inside a test
-- endpoint, after decryption).

local osm = Proto("osm", "osm-fabric circuit")

local T_DATA, T_CTRL = 1, 2
local FLAG_PLAINTEXT = 0x80
local HDR_LEN = 44

local types = { [T_DATA] = "data", [T_CTRL] = "control" }
local msg_types = { [1] = "HELLO", [2] = "KEY_UPDATE", [3] = "PRESENCE",
		    [4] = "ACK" }
local roles = { [1] = "sensor", [2] = "display", [3] = "microphone",
		[4] = "speaker", [5] = "lamp", [6] = "door", [7] = "controller" }
local key_ops = { [1] = "rx", [2] = "tx", [3] = "remove" }
local events = { [1] = "enter", [2] = "leave" }
-- enum osm_reason, as osm_reason_name() spells it (ACK status).
local reasons = { [0] = "ok", "malformed", "version", "unknown_circuit",
	"wrong_port", "wrong_src", "expired", "stale_epoch", "bad_tag",
	"replay", "over_rate", "egress_down", "not_circuit", "bad_aead" }

local f = {
	version = ProtoField.uint8("osm.version", "Version", base.DEC, nil, 0xf0),
	type = ProtoField.uint8("osm.type", "Type", base.DEC, types, 0x0f),
	flags = ProtoField.uint8("osm.flags", "Flags", base.HEX),
	plaintext = ProtoField.bool("osm.flags.plaintext",
		"Payload in clear (osm-pktgen test capture)", 8, nil,
		FLAG_PLAINTEXT),
	length = ProtoField.uint16("osm.length", "Payload length", base.DEC),
	-- ids in decimal as osm-fabric prints them, and in hex as
	-- docs/protocol.md writes control circuits (top bit, device id)
	circuit = ProtoField.uint32("osm.circuit", "Circuit", base.DEC_HEX),
	ctrl_circuit = ProtoField.bool("osm.circuit.ctrl",
		"Control circuit", 32, nil, 0x80000000),
	seq = ProtoField.uint64("osm.seq", "Sequence number", base.DEC),
	epoch = ProtoField.uint32("osm.epoch", "Key epoch", base.DEC),
	aead_tag = ProtoField.bytes("osm.aead_tag", "AEAD tag (Poly1305)"),
	hop_tag = ProtoField.bytes("osm.hop_tag", "Hop tag (SipHash-2-4)"),
	payload = ProtoField.bytes("osm.payload", "Payload"),
	trailer = ProtoField.bytes("osm.trailer", "Trailer (padding)"),

	msg_type = ProtoField.uint8("osm.msg.type", "Message type", base.DEC,
		msg_types),
	msg_reserved = ProtoField.uint8("osm.msg.reserved", "Reserved",
		base.HEX),
	msg_len = ProtoField.uint16("osm.msg.length", "Body length", base.DEC),
	device_id = ProtoField.uint32("osm.msg.device_id", "Device id",
		base.DEC),
	role = ProtoField.uint8("osm.msg.role", "Role", base.DEC, roles),
	fw_version = ProtoField.uint8("osm.msg.fw_version", "Firmware version",
		base.DEC),
	key_circuit = ProtoField.uint32("osm.msg.circuit", "Circuit",
		base.DEC_HEX),
	key_epoch = ProtoField.uint32("osm.msg.epoch", "Epoch", base.DEC),
	key_op = ProtoField.uint8("osm.msg.op", "Key operation", base.DEC,
		key_ops),
	hop_key = ProtoField.bytes("osm.msg.hop_key", "Hop key"),
	e2e_key = ProtoField.bytes("osm.msg.e2e_key", "End-to-end key"),
	event = ProtoField.uint8("osm.msg.event", "Presence event", base.DEC,
		events),
	badge_len = ProtoField.uint8("osm.msg.badge_len", "Badge length",
		base.DEC),
	badge = ProtoField.bytes("osm.msg.badge", "Badge"),
	ack_seq = ProtoField.uint64("osm.msg.ack_seq", "Acknowledged sequence",
		base.DEC),
	status = ProtoField.uint8("osm.msg.status", "Status", base.DEC,
		reasons),
}
osm.fields = f

local e_short = ProtoExpert.new("osm.short", "Frame shorter than its header",
	expert.group.MALFORMED, expert.severity.ERROR)
local e_len = ProtoExpert.new("osm.len", "Payload length runs past the frame",
	expert.group.MALFORMED, expert.severity.ERROR)
local e_ver = ProtoExpert.new("osm.bad_version", "Unknown version or type",
	expert.group.MALFORMED, expert.severity.ERROR)
local e_msg = ProtoExpert.new("osm.bad_msg", "Malformed control message",
	expert.group.MALFORMED, expert.severity.WARN)
osm.experts = { e_short, e_len, e_ver, e_msg }

osm.prefs.ctrl_in_clear = Pref.bool("Control payloads in clear", false,
	"Decode the payload of every control frame as a control message " ..
	"(for captures holding decrypted payloads)")

-- One control message (4-byte header, body) in buf.
local function dissect_msg(buf, tree)
	local len = buf:len()
	if len < 4 then
		tree:add_proto_expert_info(e_msg)
		return
	end
	local t = tree:add(osm, buf(0, len), "Control message")
	local mtype = buf(0, 1):uint()
	t:add(f.msg_type, buf(0, 1))
	t:add(f.msg_reserved, buf(1, 1))
	t:add(f.msg_len, buf(2, 2))
	t:append_text(": " .. (msg_types[mtype] or "unknown"))
	local n = buf(2, 2):uint()
	if len ~= 4 + n then
		t:add_proto_expert_info(e_msg)
		return
	end
	local b = buf(4, n):tvb()
	if mtype == 1 and n == 8 then
		t:add(f.device_id, b(0, 4))
		t:add(f.role, b(4, 1))
		t:add(f.fw_version, b(5, 1))
	elseif mtype == 2 and n == 60 then
		t:add(f.key_circuit, b(0, 4))
		t:add(f.key_epoch, b(4, 4))
		t:add(f.key_op, b(8, 1))
		t:add(f.hop_key, b(12, 16))
		t:add(f.e2e_key, b(28, 32))
	elseif mtype == 3 and n >= 3 and b(1, 1):uint() == n - 2 then
		t:add(f.event, b(0, 1))
		t:add(f.badge_len, b(1, 1))
		t:add(f.badge, b(2, n - 2))
	elseif mtype == 4 and n == 12 then
		t:add(f.ack_seq, b(0, 8))
		t:add(f.status, b(8, 1))
	else
		t:add_proto_expert_info(e_msg)
	end
end

function osm.dissector(buf, pinfo, tree)
	local len = buf:len()
	pinfo.cols.protocol = "OSM"
	local t = tree:add(osm, buf(0, math.min(len, HDR_LEN)))
	if len < HDR_LEN then
		t:add_proto_expert_info(e_short)
		pinfo.cols.info = "circuit frame, truncated"
		return len
	end
	local vt = buf(0, 1):uint()
	local ver, typ = bit.rshift(vt, 4), bit.band(vt, 0x0f)
	local flags = buf(1, 1):uint()
	local plen = buf(2, 2):uint()
	local circuit = buf(4, 4):uint()
	t:add(f.version, buf(0, 1))
	t:add(f.type, buf(0, 1))
	local ft = t:add(f.flags, buf(1, 1))
	ft:add(f.plaintext, buf(1, 1))
	t:add(f.length, buf(2, 2))
	local ct = t:add(f.circuit, buf(4, 4))
	ct:add(f.ctrl_circuit, buf(4, 4))
	t:add(f.seq, buf(8, 8))
	t:add(f.epoch, buf(16, 4))
	t:add(f.aead_tag, buf(20, 16))
	t:add(f.hop_tag, buf(36, 8))
	if ver ~= 1 or types[typ] == nil then
		t:add_proto_expert_info(e_ver)
	end
	pinfo.cols.info = string.format("%s circuit %u seq %s epoch %u len %u",
		types[typ] or "unknown", circuit, tostring(buf(8, 8):uint64()),
		buf(16, 4):uint(), plen)
	local avail = len - HDR_LEN
	if plen > avail then
		t:add_proto_expert_info(e_len)
		plen = avail
	end
	if plen > 0 then
		local pl = buf(HDR_LEN, plen)
		t:add(f.payload, pl)
		-- The marker is the whole flags byte of a valid header.
		if ver == 1 and typ == T_CTRL and (flags == FLAG_PLAINTEXT or
				osm.prefs.ctrl_in_clear) then
			dissect_msg(pl:tvb(), t)
		end
	end
	if avail > plen then
		t:add(f.trailer, buf(HDR_LEN + plen, avail - plen))
	end
	return len
end

DissectorTable.get("ethertype"):add(0x88B5, osm)
