### 通用: 各处共用的提示。

# 旧版本存下的原文 (消息成为数据之前写入的说明)。
verbatim = { $text }
month-format = 月份格式应为 2026-11 (年-月), 而不是“{ $found }”
# 文字输入
text-empty = 此项必填
text-too-long = 最多 { $max } 个字, 现在是 { $found } 个
text-control-character = 含有无法保存的控制字符 (如换行或空字符), 请重新输入
text-emoji = 含有无法存档的表情或符号, 请只用文字
text-not-a-name = 姓名只能是文字 (少数民族姓名各部分之间用 · 隔开)
date-in-future = 日期不能晚于今天
# 数据库约束
db-missing-reference = 引用的记录不存在
db-duplicate-id-number = 这条记录已经存在: 已有一位使用此身份证号的在世人员建档
db-duplicate-username = 这个用户名已被使用
db-duplicate = 这条记录已经存在
# 未找到的记录 (thing-…)
thing-active-pairing = 在办的结对帮扶
thing-app = 应用
thing-attachment = 附件
thing-campaign = 慰问活动
thing-card-holder = 持卡人
thing-card = 绿色通道卡
thing-care-record = 帮扶记录
thing-care-site = 暖心家园
thing-case = 救助或转介事项
thing-chronic-disease-record = 慢病记录
thing-claim = 理赔
thing-delivery = 推送记录
thing-endpoint = 回调地址
thing-family = 家庭档案
thing-job = 后台任务
thing-member = 家庭成员
thing-operation = 已登记的操作
thing-organisation = 合作单位
thing-pairing = 结对帮扶
thing-policy = 保单
thing-region = 行政区划
thing-roster = 发放花名册
thing-staff-member = 工作人员
thing-unit = 责任单位
thing-volunteer-team = 志愿服务队
thing-volunteer = 志愿者
thing-record = 记录
thing-wechat-binding = 微信绑定
thing-request = 家庭诉求
thing-emergency-call = 紧急呼叫
thing-emergency-device = 紧急呼叫设备
db-unknown-table = 没有这个数据表
service-unavailable = 系统暂时无法访问, 请稍后再试
internal-error = 系统出了问题; 请把请求编号告诉技术支持
cursor-unknown = 翻页标记无效, 请从第一页重新查询
id-unknown = 这不是本系统发出的编号
page-size = 每页数量应为 1 到 { $max }
age-range = 年龄应在 0 到 150 之间
search-name-length = 按姓名查询最多输入 { $max } 个字
# 请求本身的问题 (多为调用方程序的问题)
service-busy = 系统正忙, 请稍后再试
body-too-large = 请求内容超过 { $kilobytes } KB
body-unreadable = 无法读取请求内容
body-content-type = GraphQL 请求应以 Content-Type: application/json 发送
body-not-graphql = 请求内容不是 GraphQL 请求 ({ $reason }); 不接受批量请求
get-bad-json = 参数 { $parameter } 不是有效的 JSON
get-needs-query = GET 请求需要 query 参数
get-query-too-long = 查询内容过长
get-mutation = 修改类操作必须用 POST 发送
app-rate-limited = 本应用的请求额度已用完, 请 { $seconds } 秒后再试
query-too-many-aliases = 查询使用了 { $found } 个别名, 最多允许 { $limit } 个
query-too-deep = 查询嵌套达到 { $found } 层或更深, 最多允许 { $limit } 层
query-once-per-request = { $field } 每个请求只能出现一次, 不能出现 { $found } 次
ws-upgrade-needed = 订阅要用 WebSocket 连接,子协议为 graphql-transport-ws
ws-too-many-subscriptions = 一个连接最多同时订阅 { $max } 项,请先结束不用的订阅
thing-mini-program = 小程序
thing-notice = 消息提醒
