### Common: messages used everywhere.

# Text stored before messages were data, shown as it was written.
verbatim = { $text }
month-format = a month is written YYYY-MM, e.g. 2026-11, not “{ $found }”
# 文字输入
text-empty = this is required
text-too-long = at most { $max } characters, not { $found }
text-control-character = contains a control character (such as a line break or a NUL byte); retype it
text-emoji = contains an emoji or symbol that cannot be filed; use plain text
text-not-a-name = a name is letters only (with · between parts of a name)
date-in-future = the date cannot be in the future
# 数据库约束
db-missing-reference = a referenced record does not exist
db-duplicate-id-number = this record already exists: a living person with this ID number is already on file
db-duplicate-username = this username is taken
db-duplicate = this record already exists
# 未找到的记录 (thing-…)
thing-active-pairing = active pairing
thing-app = app
thing-attachment = attachment
thing-campaign = campaign
thing-card-holder = card holder
thing-card = card
thing-care-record = care record
thing-care-site = care site
thing-case = case
thing-chronic-disease-record = chronic-disease record
thing-claim = claim
thing-delivery = delivery
thing-endpoint = endpoint
thing-family = family
thing-job = job
thing-member = member
thing-operation = operation
thing-organisation = organisation
thing-pairing = pairing
thing-policy = policy
thing-region = region
thing-roster = roster
thing-staff-member = staff member
thing-unit = unit
thing-volunteer-team = volunteer team
thing-volunteer = volunteer
thing-record = record
thing-wechat-binding = WeChat binding
thing-request = request
thing-emergency-call = emergency call
thing-emergency-device = emergency-call device
db-unknown-table = unknown table
service-unavailable = the registry is temporarily unavailable; please try again in a moment
internal-error = something went wrong on our side; quote the request id to support
cursor-unknown = not a cursor this list gave out
id-unknown = this is not an ID issued by this API
page-size = ask for 1 to { $max } items
age-range = an age is between 0 and 150
search-name-length = search with at most { $max } characters of a name
# 请求本身的问题 (多为调用方程序的问题)
service-busy = the registry is busy; please try again in a moment
body-too-large = the request body is larger than { $kilobytes } KB
body-unreadable = the request body could not be read
body-content-type = send the GraphQL request as Content-Type: application/json
body-not-graphql = the body is not a GraphQL request ({ $reason }); batches are not accepted
get-bad-json = `{ $parameter }` is not valid JSON
get-needs-query = a GET request needs a `query` parameter
get-query-too-long = the query is too long
get-mutation = mutations must be sent with POST
app-rate-limited = this app's request budget is spent; try again in { $seconds } s
query-too-many-aliases = the query uses { $found } aliases; at most { $limit } are allowed
query-too-deep = the query nests { $found } levels deep or more; at most { $limit } are allowed
query-once-per-request = `{ $field }` may appear once per request, not { $found } times
ws-upgrade-needed = Subscriptions need a WebSocket connection with the sub-protocol graphql-transport-ws
ws-too-many-subscriptions = One connection holds at most { $max } subscriptions at once; complete the ones you no longer need
thing-mini-program = mini-program
thing-notice = message reminder
