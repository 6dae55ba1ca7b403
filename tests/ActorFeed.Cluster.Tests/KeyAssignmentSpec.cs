namespace ActorFeed.Cluster.Tests;

public sealed class KeyAssignmentSpec
{
    private static readonly string[] Codes = [.. Enumerable.Range(0, 2000).Select(i => (i * 37 % 1_000_000).ToString("D6"))];

    [Fact]
    public void KeyAssignment_must_give_every_node_the_same_answer_whatever_the_order_of_the_keys()
    {
        var one = new KeyAssignment(["k1", "k2", "k3"]);
        var other = new KeyAssignment(["k3", "k1", "k2"]);
        Assert.All(Codes, c => Assert.Equal(one.KeyOf(c), other.KeyOf(c)));
        // and a stable hash, not string.GetHashCode (randomized per process): a fixed expectation
        Assert.Equal(["k1", "k2", "k3"], new[] { "k1", "k2", "k3" }.Where(k => Codes.Any(c => one.KeyOf(c) == k)));
    }

    [Fact]
    public void KeyAssignment_must_spread_codes_evenly_and_move_only_the_new_keys_share_when_a_key_is_added()
    {
        var two = new KeyAssignment(["k1", "k2"]);
        var three = new KeyAssignment(["k1", "k2", "k3"]);
        var shares = Codes.GroupBy(two.KeyOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(shares.Values, n => Assert.InRange(n, 900, 1100));
        var moved = Codes.Where(c => two.KeyOf(c) != three.KeyOf(c)).ToList();
        Assert.All(moved, c => Assert.Equal("k3", three.KeyOf(c)));            // a code moves only to the new key
        Assert.InRange(moved.Count, 560, 780);                                   // about a third
    }

    [Fact]
    public void KeyAssignment_must_send_the_per_account_types_to_the_first_key()
    {
        Assert.Equal("b", new KeyAssignment(["b", "a"]).KeyOf(""));
    }
}
