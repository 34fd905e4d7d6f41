using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Tests.Events;

public sealed class OptionalFieldParserTests
{
    private static readonly SourceDefinition Orders = OptionalOrders.Source;

    private static EventRecord Parse(string json)
    {
        var parser = new EventParser(Orders);
        Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(json), out var record, out var rejection), rejection.Message);
        return record;
    }

    private static EventRejection Reject(string json)
    {
        Assert.False(new EventParser(Orders).TryParse(Encoding.UTF8.GetBytes(json), out _, out var rejection));
        return rejection;
    }

    [Fact]
    public void Absent_optional_fields_are_null_or_their_default()
    {
        var record = Parse("""{"ts":"2026-12-06T10:00:00Z","order_id":"o1"}""");

        Assert.True(record.IsComplete);
        Assert.False(record.IsSet(1));
        Assert.Equal(3L, record.GetLong(2));
        Assert.False(record.IsSet(3));
    }

    [Fact]
    public void Json_null_is_like_absent()
    {
        var record = Parse("""{"ts":"2026-12-06T10:00:00Z","order_id":"o1","channel":null,"tries":null,"fee":null}""");

        Assert.False(record.IsSet(1));
        Assert.Equal(3L, record.GetLong(2));
        Assert.False(record.IsSet(3));
    }

    [Fact]
    public void Present_optional_fields_keep_their_values()
    {
        var record = Parse("""{"ts":"2026-12-06T10:00:00Z","order_id":"o1","channel":"web","tries":0,"fee":1.25}""");

        Assert.Equal("web", record.GetString(1));
        Assert.Equal(0L, record.GetLong(2));
        Assert.Equal(1.25m, record.GetDecimal(3));
    }

    [Fact]
    public void A_wrong_type_still_goes_to_the_dead_letters_naming_the_field()
    {
        var rejection = Reject("""{"ts":"2026-12-06T10:00:00Z","order_id":"o1","tries":"two"}""");

        Assert.Equal(RejectionReason.WrongType, rejection.Reason);
        Assert.Equal("tries", rejection.Field);
        Assert.Equal("field 'tries' must be a number (long), got a string", rejection.Message);
    }

    [Fact]
    public void A_required_field_is_still_required_and_null_is_still_wrong_for_it()
    {
        Assert.Equal(RejectionReason.MissingField, Reject("""{"ts":"2026-12-06T10:00:00Z"}""").Reason);
        var rejection = Reject("""{"ts":"2026-12-06T10:00:00Z","order_id":null}""");
        Assert.Equal(RejectionReason.WrongType, rejection.Reason);
        Assert.Equal("order_id", rejection.Field);
    }

    [Fact]
    public void A_duplicate_optional_field_is_refused_even_when_one_is_null()
    {
        var rejection = Reject("""{"ts":"2026-12-06T10:00:00Z","order_id":"o1","channel":null,"channel":"web"}""");

        Assert.Equal(RejectionReason.DuplicateField, rejection.Reason);
        Assert.Equal("channel", rejection.Field);
    }
}
