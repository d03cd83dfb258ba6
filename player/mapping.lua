-- Which stored object a versioned URL means, for nginx in front of the delivery workers
-- (rewrite_by_lua_file in nginx.conf.j2).
--
-- The answer never changes (the version is its manifest's hash), so it is kept in the shared
-- dictionary "mapping", keyed by path and the variants the learner accepts (the answer names one
-- of them). A learner's request is then served in one pass: the lookup, then an internal
-- redirect to the object. A path not kept yet is asked of a worker once; what the worker says
-- when it cannot name an object (404, 503) is passed on as it is and never kept. The dictionary
-- is bounded: when it is full the least recently used answers make room.

local mapping = ngx.shared.mapping
local key = ngx.var.uri .. "|" .. ngx.var.accepted_encodings
local answer = mapping:get(key)

if answer == nil then
    local method = ngx.req.get_method() == "HEAD" and ngx.HTTP_HEAD or ngx.HTTP_GET
    local asked = ngx.location.capture("/_workers" .. ngx.var.uri, { method = method })
    local target = asked.header["X-Accel-Redirect"]
    if asked.status ~= ngx.HTTP_OK or target == nil then
        ngx.status = asked.status
        for name, value in pairs(asked.header) do
            ngx.header[name] = value
        end
        ngx.print(asked.body)
        return ngx.exit(asked.status)
    end
    answer = (asked.header["Content-Type"] or "application/octet-stream") .. "\n" .. target
    mapping:set(key, answer)
end

local kind, target = answer:match("^([^\n]*)\n(.*)$")
-- The manifest's type: nginx's static and proxy modules keep a type already set.
ngx.header.content_type = kind
return ngx.exec(target)
