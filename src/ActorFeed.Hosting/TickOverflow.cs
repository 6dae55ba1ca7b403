namespace ActorFeed.Hosting;

/// <summary>What a <see cref="TickStream"/> does when its reader falls behind and the buffer is full.</summary>
public enum TickOverflow
{
    /// <summary>Drop the oldest buffered tick to make room (a slow reader sees the latest data). Default.</summary>
    DropOldest,
    /// <summary>Drop the incoming tick (a slow reader sees a gap, then what followed it).</summary>
    DropNewest,
}
