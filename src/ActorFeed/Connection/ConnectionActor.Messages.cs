using System.Net.WebSockets;
using Akka.Event;
using ActorFeed.Kiwoom;

namespace ActorFeed.Connection;

/// <summary>The <see cref="ConnectionActor"/>'s private messages: from its socket loops and its timers.</summary>
internal sealed partial class ConnectionActor
{
    /// <summary>A decoded frame other than REAL, with its bytes (a PING is echoed as received).</summary>
    internal sealed record FrameReceived(KiwoomFrame Frame, byte[] Data) : IDeadLetterSuppression;
    /// <summary>A REAL entry of type 02 (condition change), from the receive loop.</summary>
    internal sealed record ConditionPushed(Messages.Tick Tick) : IDeadLetterSuppression;
    internal sealed record LinkFailed(Exception Error) : IDeadLetterSuppression;
    internal sealed record LinkClosed(WebSocketCloseStatus Status, string? Description) : IDeadLetterSuppression;
    /// <summary>The receive loop's <see cref="MarketSignals"/> learned something new (a 0s push, a KRX trade): the line to log.</summary>
    internal sealed record MarketSignalChanged(string Line) : IDeadLetterSuppression;
    internal sealed class CloseDone : IDeadLetterSuppression { public static readonly CloseDone Instance = new(); }
    private sealed class Opened : IDeadLetterSuppression { public static readonly Opened Instance = new(); }
    private sealed class AskToken : IDeadLetterSuppression { public static readonly AskToken Instance = new(); }
    private sealed class ConnectTimedOut : IDeadLetterSuppression { public static readonly ConnectTimedOut Instance = new(); }
    private sealed class LoginTimedOut : IDeadLetterSuppression { public static readonly LoginTimedOut Instance = new(); }
    private sealed class IdleCheck : IDeadLetterSuppression { public static readonly IdleCheck Instance = new(); }
    private sealed class DataCheck : IDeadLetterSuppression { public static readonly DataCheck Instance = new(); }
    private sealed class Stable : IDeadLetterSuppression { public static readonly Stable Instance = new(); }
    private sealed class RequestTimedOut : IDeadLetterSuppression { public static readonly RequestTimedOut Instance = new(); }
    private sealed class PaceElapsed : IDeadLetterSuppression { public static readonly PaceElapsed Instance = new(); }
    private sealed class SpacingElapsed : IDeadLetterSuppression { public static readonly SpacingElapsed Instance = new(); }
    private sealed class ConditionTimedOut : IDeadLetterSuppression { public static readonly ConditionTimedOut Instance = new(); }
    private sealed class ConditionHoldElapsed : IDeadLetterSuppression { public static readonly ConditionHoldElapsed Instance = new(); }
    private sealed class ConditionPauseElapsed : IDeadLetterSuppression { public static readonly ConditionPauseElapsed Instance = new(); }
    private sealed class CloseTimedOut : IDeadLetterSuppression { public static readonly CloseTimedOut Instance = new(); }
}
