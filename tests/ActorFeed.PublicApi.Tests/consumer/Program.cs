// A user's first program: the simulator in-process, a feed, one subscription, the first tick printed.
using Akka.Actor;
using ActorFeed;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Simulator;

await using var sim = await KiwoomSimulator.StartAsync();
var system = ActorSystem.Create("consumer", "akka.loglevel = WARNING");
try
{
    var settings = ActorFeedSettings.Default with
    {
        AppKey = "consumer-app-key-0123456789",
        SecretKey = "consumer-secret-key-0123456789",
        RestBaseUrl = sim.RestBaseUrl,
        WebSocketUrl = sim.WebSocketUrl,
    };
    var feed = Feed.Start(system, settings);

    var confirmed = new TaskCompletionSource<SubscriptionConfirmed>(TaskCreationOptions.RunContinuationsAsynchronously);
    var firstTick = new TaskCompletionSource<Tick>(TaskCreationOptions.RunContinuationsAsynchronously);
    var subscriber = system.ActorOf(Props.Create(() => new FirstTick(confirmed, firstTick)), "first-tick");
    feed.Tell(new Subscribe("005930", RealTypes.StockTrade, subscriber));

    var c = await confirmed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"confirmed {c.Code} {c.Type}");
    var tick = await firstTick.Task.WaitAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"tick {tick.Code} {tick.Type} {tick.Name} price={tick.Price} volume={tick.TradeVolume}");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    await system.Terminate();                  // the feed stops gracefully while the simulator still runs
}

internal sealed class FirstTick : ReceiveActor
{
    public FirstTick(TaskCompletionSource<SubscriptionConfirmed> confirmed, TaskCompletionSource<Tick> tick)
    {
        Receive<SubscriptionConfirmed>(c => confirmed.TrySetResult(c));
        Receive<SubscriptionRejected>(r => confirmed.TrySetException(new InvalidOperationException($"rejected: {r.Reason}")));
        Receive<Tick>(t => tick.TrySetResult(t));
    }
}
