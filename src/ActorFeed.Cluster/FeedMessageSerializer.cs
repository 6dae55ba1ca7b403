using System.Text;
using Akka.Actor;
using Akka.Serialization;
using ActorFeed.Messages;

namespace ActorFeed.Cluster;

/// <summary>
/// Compact binary serializer for every ActorFeed message that crosses nodes: <see cref="Tick"/> (the hot one: its
/// <c>Values</c> is an internal lazy map that a JSON serializer could not rebuild), gap notices, confirmations,
/// rejections, <see cref="Subscribe"/> / <see cref="Unsubscribe"/> (actor refs as serialized paths), status, the
/// condition search messages, the status queries and the cluster's own protocol. Bound in <see cref="FeedCluster.DefaultConfig"/>.
/// A tick keeps its fields in the order received; numbers are read from the strings on the receiving node.
/// <para>Versioning (rolling upgrades): every payload starts with a format version byte (<see cref="Version"/>), and a
/// field added later is written at the END of its message and read only when the payload has bytes left (an older
/// node's message then lacks it and gets its default). So a node of version n reads the messages of version n-1 and
/// the other way round as long as fields are only ADDED at the end. Removing, reordering or changing the type of a
/// field, a new message type (an older node has no manifest for it) or a higher version byte than the reader knows are
/// not compatible: such a message fails to deserialize (Akka.Remote logs and drops it).</para>
/// </summary>
internal sealed class FeedMessageSerializer : SerializerWithStringManifest
{
    public FeedMessageSerializer(ExtendedActorSystem system) : base(system) { }

    /// <summary>The serializer id (unique in the actor system; Akka's own use 1-100).</summary>
    public const int Id = 731_001;

    public override int Identifier => Id;

    /// <summary>The format version written first in every payload; a reader accepts this and lower.</summary>
    public const byte Version = 1;

    public override string Manifest(object o) => o switch
    {
        Tick => "T",
        SubscriptionGap => "G",
        SubscriptionConfirmed => "C",
        SubscriptionRejected => "J",
        SubscriptionRemoved => "R",
        Subscribe => "S",
        Unsubscribe => "U",
        GetFeedStatus => "Q",
        FeedStatus => "FS",
        GetSubscriptionStats => "QS",
        SubscriptionStats => "SS",
        GetConditionStatus => "QC",
        ConditionStatus => "CSt",
        ClusterProtocol.DesiredSet => "DS",
        ClusterProtocol.FindFeed => "F",
        ClusterProtocol.FeedHere => "H",
        ClusterProtocol.TickBatch => "TB",
        Messages.TickBatch => "TBs",
        ListConditions => "CL",
        SearchCondition => "CS",
        SubscribeCondition => "CSub",
        UnsubscribeCondition => "CUns",
        ConditionList => "CList",
        ConditionSnapshot => "CSnap",
        ConditionEntered => "CIn",
        ConditionLeft => "COut",
        ConditionUnsubscribed => "CUnsd",
        ConditionSearchResult => "CRes",
        ConditionRejected => "CRej",
        _ => throw new ArgumentException($"{o.GetType()} is not an ActorFeed message", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Version);
            Write(w, obj);
        }
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        if (version is 0 or > Version)
            throw new System.Runtime.Serialization.SerializationException(
                $"ActorFeed message '{manifest}' of format version {version}; this node reads versions 1 to {Version} (a newer node? see README, rolling upgrades)");
        return manifest switch
        {
            "T" => ReadTick(r),
            "G" => ReadGap(r),
            "C" => new SubscriptionConfirmed(r.ReadString(), r.ReadString()),
            "J" => new SubscriptionRejected(r.ReadString(), r.ReadString(), r.ReadString()),
            "R" => new SubscriptionRemoved(r.ReadString(), r.ReadString()),
            "S" => new Subscribe(r.ReadString(), r.ReadString(), Ref(r)) { Batched = More(r) && r.ReadBoolean() },   // Batched: added later
            "U" => new Unsubscribe(r.ReadString(), r.ReadString(), Ref(r)),
            "Q" => GetFeedStatus.Instance,
            "FS" => ReadStatus(r),
            "QS" => GetSubscriptionStats.Instance,
            "SS" => ReadStats(r),
            "QC" => new GetConditionStatus(r.ReadInt32()),
            "CSt" => ReadConditionStatus(r),
            "DS" => ReadDesiredSet(r),
            "F" => ClusterProtocol.FindFeed.Instance,
            "H" => new ClusterProtocol.FeedHere(r.ReadString(), More(r) ? r.ReadInt64() : 0),
            "TB" => ReadBatch(r),
            "TBs" => new Messages.TickBatch(ReadBatch(r).Ticks),
            "CL" => new ListConditions(),
            "CS" => new SearchCondition(r.ReadInt32()),
            "CSub" => new SubscribeCondition(r.ReadInt32(), Ref(r), NullableStrings(r)),
            "CUns" => new UnsubscribeCondition(r.ReadInt32(), Ref(r)),
            "CList" => new ConditionList(ReadInfos(r)),
            "CSnap" => new ConditionSnapshot(r.ReadInt32(), r.ReadString(), Strings(r)),
            "CIn" => new ConditionEntered(r.ReadInt32(), r.ReadString(), Time(r), r.ReadBoolean()),
            "COut" => new ConditionLeft(r.ReadInt32(), r.ReadString(), Time(r), r.ReadBoolean()),
            "CUnsd" => new ConditionUnsubscribed(r.ReadInt32()),
            "CRes" => new ConditionSearchResult(r.ReadInt32(), r.ReadString(), Strings(r)),
            "CRej" => new ConditionRejected(r.ReadBoolean() ? r.ReadInt32() : null, r.ReadString()),
            _ => throw new System.Runtime.Serialization.SerializationException($"unknown ActorFeed manifest '{manifest}'"),
        };
    }

    private static void Write(BinaryWriter w, object obj)
    {
        switch (obj)
        {
            case Tick t: WriteTick(w, t); break;
            case ClusterProtocol.TickBatch b:
                w.Write(b.Ticks.Length);
                foreach (var t in b.Ticks) WriteTick(w, t);
                break;
            case Messages.TickBatch b:
                w.Write(b.Ticks.Count);
                foreach (var t in b.Ticks) WriteTick(w, t);
                break;
            case SubscriptionGap g: WriteGap(w, g); break;
            case SubscriptionConfirmed c: w.Write(c.Code); w.Write(c.Type); break;
            case SubscriptionRejected j: w.Write(j.Code); w.Write(j.Type); w.Write(j.Reason); break;
            case SubscriptionRemoved x: w.Write(x.Code); w.Write(x.Type); break;
            case Subscribe s: w.Write(s.Code ?? ""); w.Write(s.Type ?? ""); Ref(w, s.Subscriber); w.Write(s.Batched); break;
            case Unsubscribe u: w.Write(u.Code ?? ""); w.Write(u.Type ?? ""); Ref(w, u.Subscriber); break;
            case GetFeedStatus or ClusterProtocol.FindFeed or ListConditions or GetSubscriptionStats: break;
            case FeedStatus f: WriteStatus(w, f); break;
            case SubscriptionStats s: WriteStats(w, s); break;
            case GetConditionStatus q: w.Write(q.MaxMembers); break;
            case ConditionStatus c: WriteConditionStatus(w, c); break;
            case ClusterProtocol.DesiredSet d:
                w.Write(d.KeyName); w.Write(d.Pairs.Length);
                foreach (var (code, type) in d.Pairs) { w.Write(code); w.Write(type); }
                break;
            case ClusterProtocol.FeedHere h: w.Write(h.KeyName); w.Write(h.Incarnation); break;
            case SearchCondition c: w.Write(c.Seq); break;
            case SubscribeCondition c: w.Write(c.Seq); Ref(w, c.Subscriber); NullableStrings(w, c.TickTypes); break;
            case UnsubscribeCondition c: w.Write(c.Seq); Ref(w, c.Subscriber); break;
            case ConditionList l:
                w.Write(l.Conditions.Count);
                foreach (var i in l.Conditions) { w.Write(i.Seq); w.Write(i.Name); }
                break;
            case ConditionSnapshot c: w.Write(c.Seq); w.Write(c.Name); Strings(w, c.Codes); break;
            case ConditionEntered c: w.Write(c.Seq); w.Write(c.Code); Time(w, c.At); w.Write(c.Recovered); break;
            case ConditionLeft c: w.Write(c.Seq); w.Write(c.Code); Time(w, c.At); w.Write(c.Recovered); break;
            case ConditionUnsubscribed c: w.Write(c.Seq); break;
            case ConditionSearchResult c: w.Write(c.Seq); w.Write(c.Name); Strings(w, c.Codes); break;
            case ConditionRejected c:
                w.Write(c.Seq.HasValue); if (c.Seq is { } seq) w.Write(seq);
                w.Write(c.Reason);
                break;
            default: throw new ArgumentException($"{obj.GetType()} is not an ActorFeed message", nameof(obj));
        }
    }

    private static void WriteTick(BinaryWriter w, Tick t)
    {
        w.Write(t.Code); w.Write(t.Type); w.Write(t.Name); Time(w, t.ReceivedAt);
        w.Write(t.Values.Count);
        foreach (var (k, v) in t.Values) { w.Write(k); w.Write(v); }
    }

    private static ClusterProtocol.TickBatch ReadBatch(BinaryReader r)
    {
        var ticks = new Tick[r.ReadInt32()];
        for (var i = 0; i < ticks.Length; i++) ticks[i] = ReadTick(r);
        return new ClusterProtocol.TickBatch(ticks);
    }

    private static Tick ReadTick(BinaryReader r)
    {
        var code = r.ReadString();
        var type = r.ReadString();
        var name = r.ReadString();
        var at = Time(r);
        var n = r.ReadInt32();
        var keys = new string[n];
        var values = new string[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = string.Intern(r.ReadString());     // field ids: a handful of distinct strings, shared like the decoder's
            values[i] = r.ReadString();
        }
        return new Tick(code, type, name, new FieldValues(keys, values), at);
    }

    private static void WriteStatus(BinaryWriter w, FeedStatus f)
    {
        w.Write((int)f.State); NullableString(w, f.Cause); w.Write(f.Attempt); NullableTime(w, f.NextRetryAt); NullableTime(w, f.ConnectedSince);
        w.Write(f.DesiredSubscriptions); w.Write(f.ConfirmedSubscriptions); w.Write(f.IsPermanentFailure); NullableTime(w, f.DownSince);
        w.Write(f.RecentDrops); NullableTime(w, f.FlappingSince); NullableTime(w, f.UnconfirmedSince); Strings(w, f.StaleCodes);
    }

    private static FeedStatus ReadStatus(BinaryReader r) =>
        new((FeedState)r.ReadInt32(), NullableString(r), r.ReadInt32(), NullableTime(r), NullableTime(r), r.ReadInt32(), r.ReadInt32(),
            r.ReadBoolean(), NullableTime(r), r.ReadInt32(), NullableTime(r), NullableTime(r)) { StaleCodes = More(r) ? Strings(r) : [] };

    /// <summary>True when the payload has bytes left: a field added at the end by a newer version is there.</summary>
    private static bool More(BinaryReader r) => r.BaseStream.Position < r.BaseStream.Length;

    private static void WriteGap(BinaryWriter w, SubscriptionGap g)
    {
        w.Write(g.Code); w.Write(g.Type); Time(w, g.From); Time(w, g.To); w.Write(g.Cause); NullableLong(w, g.MissedVolume);
    }

    private static SubscriptionGap ReadGap(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), Time(r), Time(r), r.ReadString(), NullableLong(r));

    private static void NullableSpan(BinaryWriter w, TimeSpan? t) { w.Write(t.HasValue); if (t is { } v) w.Write(v.Ticks); }
    private static TimeSpan? NullableSpan(BinaryReader r) => r.ReadBoolean() ? TimeSpan.FromTicks(r.ReadInt64()) : null;

    private static void WriteStats(BinaryWriter w, SubscriptionStats s)
    {
        WriteStatus(w, s.Status);
        Time(w, s.At);
        w.Write(s.Subscriptions.Count);
        foreach (var x in s.Subscriptions)
        {
            w.Write(x.Code); w.Write(x.Type); w.Write(x.Confirmed); w.Write(x.Ticks); NullableTime(w, x.LastTickAt);
            w.Write(x.LastPrice.HasValue); if (x.LastPrice is { } price) w.Write(price);
            w.Write(x.Gaps);
            w.Write(x.LastGap is not null); if (x.LastGap is { } gap) WriteGap(w, gap);
            NullableSpan(w, x.Silent); NullableSpan(w, x.StaleAfter); w.Write(x.Stale); w.Write(x.Session); w.Write(x.DataExpected);
        }
    }

    private static SubscriptionStats ReadStats(BinaryReader r)
    {
        var status = ReadStatus(r);
        var at = Time(r);
        var list = new SubscriptionStat[r.ReadInt32()];
        for (var i = 0; i < list.Length; i++)
            list[i] = new SubscriptionStat(r.ReadString(), r.ReadString(), r.ReadBoolean(), r.ReadInt64(), NullableTime(r),
                r.ReadBoolean() ? r.ReadDecimal() : null, r.ReadInt32(), r.ReadBoolean() ? ReadGap(r) : null,
                NullableSpan(r), NullableSpan(r), r.ReadBoolean(), r.ReadString(), r.ReadBoolean());
        return new SubscriptionStats(status, list, at);
    }

    private static void WriteConditionStatus(BinaryWriter w, ConditionStatus c)
    {
        Time(w, c.At);
        w.Write(c.Conditions.Count);
        foreach (var f in c.Conditions)
        {
            w.Write(f.Seq); w.Write(f.Name); w.Write((int)f.State); w.Write(f.MemberCount); Strings(w, f.Members); w.Write(f.Subscribers);
            Strings(w, f.TickTypes);
            w.Write(f.LastChange is not null);
            if (f.LastChange is { } ch) { w.Write(ch.Code); w.Write(ch.Entered); Time(w, ch.At); w.Write(ch.Recovered); }
            w.Write(f.Changes); w.Write(f.RecoveredChanges); NullableString(w, f.LastError); NullableTime(w, f.NextRetryAt);
        }
    }

    private static ConditionStatus ReadConditionStatus(BinaryReader r)
    {
        var at = Time(r);
        var list = new FollowedCondition[r.ReadInt32()];
        for (var i = 0; i < list.Length; i++)
            list[i] = new FollowedCondition(r.ReadInt32(), r.ReadString(), (FollowedConditionState)r.ReadInt32(), r.ReadInt32(), Strings(r),
                r.ReadInt32(), Strings(r), r.ReadBoolean() ? new ConditionMemberChange(r.ReadString(), r.ReadBoolean(), Time(r), r.ReadBoolean()) : null,
                r.ReadInt64(), r.ReadInt64(), NullableString(r), NullableTime(r));
        return new ConditionStatus(list, at);
    }

    private static ClusterProtocol.DesiredSet ReadDesiredSet(BinaryReader r)
    {
        var key = r.ReadString();
        var pairs = new (string Code, string Type)[r.ReadInt32()];
        for (var i = 0; i < pairs.Length; i++) pairs[i] = (r.ReadString(), r.ReadString());
        return new ClusterProtocol.DesiredSet(key, pairs);
    }

    private static ConditionInfo[] ReadInfos(BinaryReader r)
    {
        var infos = new ConditionInfo[r.ReadInt32()];
        for (var i = 0; i < infos.Length; i++) infos[i] = new ConditionInfo(r.ReadInt32(), r.ReadString());
        return infos;
    }

    private static void Time(BinaryWriter w, DateTimeOffset t) { w.Write(t.UtcTicks); w.Write((short)t.Offset.TotalMinutes); }

    private static DateTimeOffset Time(BinaryReader r)
    {
        var ticks = r.ReadInt64();
        var offset = TimeSpan.FromMinutes(r.ReadInt16());
        return new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(offset);
    }

    private static void NullableTime(BinaryWriter w, DateTimeOffset? t) { w.Write(t.HasValue); if (t is { } v) Time(w, v); }
    private static DateTimeOffset? NullableTime(BinaryReader r) => r.ReadBoolean() ? Time(r) : null;
    private static void NullableLong(BinaryWriter w, long? v) { w.Write(v.HasValue); if (v is { } x) w.Write(x); }
    private static long? NullableLong(BinaryReader r) => r.ReadBoolean() ? r.ReadInt64() : null;
    private static void NullableString(BinaryWriter w, string? s) { w.Write(s is not null); if (s is not null) w.Write(s); }
    private static string? NullableString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void Strings(BinaryWriter w, IReadOnlyList<string> list)
    {
        w.Write(list.Count);
        foreach (var s in list) w.Write(s);
    }

    private static string[] Strings(BinaryReader r)
    {
        var list = new string[r.ReadInt32()];
        for (var i = 0; i < list.Length; i++) list[i] = r.ReadString();
        return list;
    }

    private static void NullableStrings(BinaryWriter w, IReadOnlyList<string>? list) { w.Write(list is not null); if (list is not null) Strings(w, list); }
    private static string[]? NullableStrings(BinaryReader r) => r.ReadBoolean() ? Strings(r) : null;

    private static void Ref(BinaryWriter w, IActorRef? actor) => w.Write(actor is null ? "" : Serialization.SerializedActorPath(actor));

    private IActorRef? Ref(BinaryReader r)
    {
        var path = r.ReadString();
        return path.Length == 0 ? null : system.Provider.ResolveActorRef(path);
    }
}
