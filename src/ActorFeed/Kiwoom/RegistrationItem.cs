namespace ActorFeed.Kiwoom;

/// <summary>One code/type pair of a REG or REMOVE (the code is "" for per-account types).</summary>
internal readonly record struct RegistrationItem(string Code, string Type)
{
    public override string ToString() => Code.Length == 0 ? $"(account)/{Type}" : $"{Code}/{Type}";
}
