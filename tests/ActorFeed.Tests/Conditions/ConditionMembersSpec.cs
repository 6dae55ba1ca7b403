namespace ActorFeed.Tests.Conditions;

/// <summary>The membership diff that recovery rests on.</summary>
public sealed class ConditionMembersSpec
{
    [Fact]
    public void Members_must_diff_a_fresh_list_against_the_last_known_one()
    {
        var m = new ConditionMembers();
        Assert.False(m.Known);
        var (entered, left) = m.Replace(["005930", "000660", "035420"]);
        Assert.True(m.Known);
        Assert.Equal(["005930", "000660", "035420"], entered);
        Assert.Empty(left);
        (entered, left) = m.Replace(["000660", "051910", "000660", "068270"]);   // a duplicate counts once
        Assert.Equal(["051910", "068270"], entered);
        Assert.Equal(["005930", "035420"], left);
        Assert.Equal(["000660", "051910", "068270"], m.Codes);
        (entered, left) = m.Replace([]);
        Assert.Empty(entered);
        Assert.Equal(["000660", "051910", "068270"], left);
        Assert.True(m.Known);                                                  // an empty list is known
    }

    [Fact]
    public void Members_must_apply_real_time_changes_once()
    {
        var m = new ConditionMembers();
        m.Replace(["005930"]);
        Assert.True(m.Enter("000660"));
        Assert.False(m.Enter("000660"));                                       // a repeated I changes nothing
        Assert.True(m.Leave("005930"));
        Assert.False(m.Leave("005930"));
        Assert.Equal(["000660"], m.Codes);
        Assert.True(m.Contains("000660"));
    }

    [Fact]
    public void Events_applied_to_the_old_list_must_give_the_new_one()
    {
        var random = new Random(12);
        var m = new ConditionMembers();
        var seen = new List<string>();
        for (var round = 0; round < 200; round++)
        {
            var fresh = Enumerable.Range(0, random.Next(0, 12)).Select(_ => random.Next(0, 20).ToString("D6")).ToList();
            var (entered, left) = m.Replace(fresh);
            if (round == 0) seen = [.. entered];
            else
            {
                seen.RemoveAll(left.Contains);
                seen.AddRange(entered);
            }
            Assert.Equal(fresh.Distinct().Order(), seen.Order());
        }
    }
}
