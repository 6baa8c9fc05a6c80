namespace Prover.Sequencer.Tests;

/// <summary>The writer-to-committer hand-off: one item at a time, in order, and a clean end.</summary>
public sealed class HandOffTests
{
    [Fact]
    public void Items_pass_one_at_a_time_in_order_between_two_threads_and_the_taker_sees_the_end()
    {
        var handOff = new HandOff<string>();
        var taken = new List<string>();
        var taker = new Thread(() =>
        {
            while (handOff.TryTake(out var item))
            {
                taken.Add(item);
            }
        });
        taker.Start();

        var sent = Enumerable.Range(0, 2_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var item in sent)
        {
            handOff.Put(item);
        }

        handOff.Complete();
        Assert.True(taker.Join(TimeSpan.FromSeconds(30)), "the taker did not see the end");
        Assert.Equal(sent, taken);
    }

    [Fact]
    public async Task A_full_slot_holds_the_putter_until_the_item_is_taken()
    {
        var handOff = new HandOff<string>();
        handOff.Put("first");
        var secondPut = Task.Run(() => handOff.Put("second"));
        await Task.Delay(200);
        Assert.False(secondPut.IsCompleted);

        Assert.True(handOff.TryTake(out var first));
        Assert.Equal("first", first);
        await secondPut.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(handOff.TryTake(out var second));
        Assert.Equal("second", second);
    }

    [Fact]
    public void After_completion_the_item_left_is_still_taken_and_nothing_more_can_be_put()
    {
        var handOff = new HandOff<string>();
        handOff.Put("last");
        handOff.Complete();
        Assert.True(handOff.TryTake(out var last));
        Assert.Equal("last", last);
        Assert.False(handOff.TryTake(out _));
        var e = Assert.Throws<InvalidOperationException>(() => handOff.Put("late"));
        Assert.Contains("complete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completing_releases_a_putter_waiting_on_a_full_slot_with_an_error()
    {
        var handOff = new HandOff<string>();
        handOff.Put("held");
        var blocked = Task.Run(() => handOff.Put("waiting"));
        await Task.Delay(200);
        Assert.False(blocked.IsCompleted);
        handOff.Complete();
        await Assert.ThrowsAsync<InvalidOperationException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
