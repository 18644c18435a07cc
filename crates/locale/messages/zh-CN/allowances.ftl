### 扶助金: 应享待遇及其说明。
allowance-kind-special_support = 特别扶助金
allowance-kind-fertility_care_comfort = 生育关怀抚慰金
entitlement-not-a-parent = 只有独生子女死亡家庭的父母享受扶助金
entitlement-no-child-death = 未登记独生子女死亡日期, 无法确定享受起始月份
entitlement-before-start = 独生子女于{ $died }死亡, 自次月即{ $start }起享受
entitlement-later-child = { $date }再生育或收养, 自{ $from }起停发
entitlement-file-ended = 档案于{ $date }{ $status }, 自{ $from }起停发
entitlement-suspended = 家庭于{ $date }处于暂停状态, 暂停期间不发放
entitlement-not-yet-active = 家庭尚未核实并进入享受状态; 进入享受状态后, 自{ $start }起的月份作为补发
entitlement-parent-died = { $name }于{ $date }去世, 发放至{ $through }
entitlement-no-county = 未能确定家庭所属县(市、区)
entitlement-reference-wife = 女方
entitlement-reference-self = 本人 (档案中无在世的女方, 按本人年龄)
entitlement-no-standard = { $county }在{ $month }没有适用于 { $age } 周岁的扶助标准
entitlement-owed = { $kind } { $amount }元: { $who }{ $turned }满 { $age } 周岁; 家庭自{ $active }起享受; 执行{ $standard }起的扶助标准
entitlement-county-standard = { $owed } (县级标准, { $county })
# 发放账户
account-kind = 账户类型应为社保卡或银行账户
account-number-format = 账号应为 12 到 30 位数字
account-other-holder = 账户户名是{ $holder }, 不是{ $member }本人: 请说明原因 (填写监护或委托书编号)
standard-amount-positive = 每月金额应大于 0 (单位: 分)
standard-age-order = 最低年龄高于最高年龄
standard-county-outside = { $county } 不是您辖区内的县(市、区)
standard-starts-later = 同类扶助标准已从{ $month }开始执行; 调整应从其后开始
since-recorded = { $since } ({ $recorded }登记)
