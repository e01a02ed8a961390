-- The channel's position. After the shared opening, no more arguments.
-- Returns {epoch, head offset}.
return done({epoch, head})
