# Emergency calls: the ladder, the states and the steps, and what a worker or a device is told.
call-level-village = village
call-level-township = township
call-level-county = county
call-state-open = waiting for an answer
call-state-acknowledged = acknowledged
call-state-closed = closed
call-step-raised = raised
call-step-delivered = delivered
call-step-acknowledged = acknowledged
call-step-escalated = escalated
call-step-closed = closed
call-already-acknowledged = Someone has already acknowledged this emergency call
call-already-closed = This emergency call is already closed
call-note-too-long = The note may have at most { $max } characters
device-credential-needed = A device signs in with its serial number and device secret (HTTP Basic)
device-credential-wrong = Wrong device serial number or secret, or the device is inactive
device-no-credential = This device has no credential yet; issue one first
