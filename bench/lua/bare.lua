-- The bare endpoint: a constant GET.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
