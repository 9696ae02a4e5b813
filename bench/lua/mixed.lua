-- Mixed: 90% session checks (native /me), 8% sign-ins, 2% sign-ups. args: tokens file, logins file, tag, password.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local checks, signins, tag, password, n = {}, {}, "", "", 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   for _, tok in ipairs(read_lines(args[1])) do
      checks[#checks + 1] = wrk.format("GET", "/v1/apps/default/me", { Authorization = "Bearer " .. tok })
   end
   for _, login in ipairs(read_lines(args[2])) do
      signins[#signins + 1] = wrk.format("POST", "/v1/apps/default/signin", headers,
         '{"login":"' .. login .. '","password":"' .. args[4] .. '"}')
   end
   tag, password = args[3], args[4]
   math.randomseed(os.time() + tid)
end

function request()
   local r = math.random()
   if r < 0.90 then
      return checks[math.random(#checks)]
   elseif r < 0.98 then
      return signins[math.random(#signins)]
   end
   n = n + 1
   return wrk.format("POST", "/v1/apps/default/signup", headers,
      '{"email":"' .. tag .. "-" .. tid .. "-" .. n .. '@example.com","password":"' .. password .. '"}')
end
