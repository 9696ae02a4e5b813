-- The peer, fastapi-users. args: "me", tokens file (GET /users/me with each Bearer token in turn), or
-- "login", logins file, password (POST /auth/jwt/login, the OAuth2 password form it documents).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local reqs, i = {}, 0

local function form(value)
   return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
   if args[1] == "me" then
      for _, tok in ipairs(read_lines(args[2])) do
         reqs[#reqs + 1] = wrk.format("GET", "/users/me", { Authorization = "Bearer " .. tok })
      end
   else
      local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
      for _, login in ipairs(read_lines(args[2])) do
         reqs[#reqs + 1] = wrk.format("POST", "/auth/jwt/login", headers,
            "username=" .. form(login) .. "&password=" .. form(args[3]))
      end
   end
   i = (tid or 0) * 7
end

function request()
   i = i + 1
   return reqs[(i % #reqs) + 1]
end
