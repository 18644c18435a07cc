# 紧急呼叫: the ladder, the states and the steps, and what a worker or a device is told.
call-level-village = 村(居)
call-level-township = 乡镇(街道)
call-level-county = 县(市、区)
call-state-open = 待接听
call-state-acknowledged = 已接听
call-state-closed = 已结束
call-step-raised = 发起呼叫
call-step-delivered = 已送达
call-step-acknowledged = 已接听
call-step-escalated = 已升级
call-step-closed = 已结束
call-already-acknowledged = 这个紧急呼叫已有人接听
call-already-closed = 这个紧急呼叫已经结束
call-note-too-long = 处理说明最多 { $max } 个字
device-credential-needed = 设备需要用序列号和设备密钥登录(HTTP Basic)
device-credential-wrong = 设备序列号或密钥不对,或设备已停用
device-no-credential = 这台设备还没有发放密钥,请先发放
