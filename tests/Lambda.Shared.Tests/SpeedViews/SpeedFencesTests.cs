using Lambda.Shared.SpeedViews;

namespace Lambda.Shared.Tests.SpeedViews;

/// <summary>The fencing read rule: a row counts unless a fence of a higher token on its partition starts at or below its last offset.</summary>
public sealed class SpeedFencesTests
{
    [Fact]
    public void Without_fences_every_row_counts_and_there_is_no_condition()
    {
        Assert.True(SpeedFences.None.IsEmpty);
        Assert.True(SpeedFences.None.Counts(3, 0, long.MaxValue - 1));
        Assert.Null(SpeedFences.None.Condition());
    }

    [Fact]
    public void A_stalled_owners_late_flush_does_not_count_and_everything_before_the_handover_does()
    {
        // A (token 5) stored up to 199, stalled; B (token 7) found 199 stored and resumes at 200.
        var fences = new SpeedFences([new SpeedFence(0, 5, 0), new SpeedFence(0, 7, 200)]);

        Assert.True(fences.Counts(0, 5, 99));    // A's flushes before the handover
        Assert.True(fences.Counts(0, 5, 199));
        Assert.True(fences.Counts(0, 7, 299));   // B's
        Assert.False(fences.Counts(0, 5, 349));  // A's late flush [200, 349] after it woke up
        Assert.False(fences.Counts(0, 5, 200));
        Assert.True(fences.Counts(1, 5, 349));   // another partition has no fence of B
    }

    [Fact]
    public void A_late_flush_that_starts_below_the_new_owners_start_but_reaches_it_does_not_count()
    {
        // A's flush [150, 249] was cut before B read the table at 149 and inserted after: B covers 150.. again.
        var fences = new SpeedFences([new SpeedFence(2, 1, 0), new SpeedFence(2, 2, 150)]);

        Assert.False(fences.Counts(2, 1, 249));
        Assert.True(fences.Counts(2, 1, 149));
    }

    [Fact]
    public void With_several_handovers_each_token_counts_below_the_smallest_start_of_every_later_fence()
    {
        var fences = new SpeedFences([new SpeedFence(0, 9, 300), new SpeedFence(0, 3, 10), new SpeedFence(0, 5, 100)]);

        Assert.True(fences.Counts(0, 0, 9));     // rows from before fencing, below the first fence
        Assert.False(fences.Counts(0, 0, 10));
        Assert.True(fences.Counts(0, 3, 99));
        Assert.False(fences.Counts(0, 3, 150));
        Assert.True(fences.Counts(0, 4, 99));    // a token between fences is judged by the later fences
        Assert.True(fences.Counts(0, 5, 299));
        Assert.False(fences.Counts(0, 5, 320));
        Assert.True(fences.Counts(0, 9, 5_000));
        Assert.True(fences.Counts(0, 12, 5_000));
    }

    [Fact]
    public void A_later_fence_with_a_smaller_start_bounds_every_earlier_token()
    {
        // Token 8 found less stored than token 6 (token 6's rows above 120 were themselves fenced off by token 8's read).
        var fences = new SpeedFences([new SpeedFence(0, 6, 200), new SpeedFence(0, 8, 120)]);

        Assert.False(fences.Counts(0, 6, 150));
        Assert.True(fences.Counts(0, 6, 119));
        Assert.False(fences.Counts(0, 1, 130));
    }

    [Fact]
    public void A_fence_recorded_twice_keeps_its_smallest_start()
    {
        var fences = new SpeedFences([new SpeedFence(0, 4, 50), new SpeedFence(0, 4, 40), new SpeedFence(0, 1, 0)]);

        Assert.False(fences.Counts(0, 1, 45));
        Assert.True(fences.Counts(0, 1, 39));
    }

    [Fact]
    public void The_condition_names_only_the_fenced_partitions_and_reaches_the_others_through_key_ranges()
    {
        var fences = new SpeedFences([new SpeedFence(3, 5, 0), new SpeedFence(3, 7, 200), new SpeedFence(3, 9, 400)]);

        Assert.Equal(
            "((`partition` = 3 AND (`last_offset` < 0 OR (`fencing_token` >= 5 AND `last_offset` < 200) OR (`fencing_token` >= 7 AND `last_offset` < 400) "
            + "OR `fencing_token` >= 9)) OR `partition` < 3 OR `partition` > 3)",
            fences.Condition());
        Assert.Equal([3], fences.Partitions);
    }

    [Fact]
    public void The_listed_condition_keeps_only_the_bands_a_row_at_or_above_the_bound_can_fall_in()
    {
        var fences = new SpeedFences([new SpeedFence(3, 5, 0), new SpeedFence(3, 7, 200), new SpeedFence(3, 9, 400)]);

        Assert.Equal(
            "(`partition` = 2 OR (`partition` = 3 AND ((`fencing_token` >= 7 AND `last_offset` < 400) OR `fencing_token` >= 9)))",
            fences.Condition(new Dictionary<int, long?> { [3] = 250, [2] = 10 }));
        Assert.Equal(
            "((`partition` = 3 AND (`fencing_token` >= 9)))",
            fences.Condition(new Dictionary<int, long?> { [3] = 400 }));
        Assert.Null(fences.Condition(new Dictionary<int, long?> { [4] = null }));
    }
}
