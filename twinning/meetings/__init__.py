"""Joint meetings (联席会议): the department's monthly meeting, its attendance and decisions,
and the action items followed until done; town staff and leaders read them."""
