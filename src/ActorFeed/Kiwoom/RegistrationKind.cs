namespace ActorFeed.Kiwoom;

/// <summary>What a registration request does: REG adds items, REMOVE takes them away.</summary>
internal enum RegistrationKind
{
    Register,
    Remove,
}

internal static class RegistrationKinds
{
    /// <summary>The <c>trnm</c> of the request and of its reply.</summary>
    public static string Trnm(this RegistrationKind kind) => kind == RegistrationKind.Register ? "REG" : "REMOVE";
}
