// The engine's namespaces, for specs that reach internals (InternalsVisibleTo).
global using ActorFeed.Conditions;
global using ActorFeed.Connection;
global using ActorFeed.Kiwoom;
global using ActorFeed.Subscriptions;
global using ActorFeed.Supervision;
global using ActorFeed.Token;
global using ActorFeed.Testing;
