using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Events;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class DimensionFilterTests
{
    [Fact]
    public void Values_of_one_dimension_are_alternatives_and_different_dimensions_must_all_match()
    {
        var view = TypeCatalogs.AllTypes.GetView("by_everything");
        var filter = new DimensionFilter(
            [
                new DimensionCondition(view.Dimensions[0], 0, [FieldValue.FromString("a"), FieldValue.FromString("b")]),
                new DimensionCondition(view.Dimensions[4], 4, [FieldValue.FromBool(true)]),
            ]);

        Assert.True(filter.Matches(Dims("a", true)));
        Assert.True(filter.Matches(Dims("b", true)));
        Assert.False(filter.Matches(Dims("a", false)));
        Assert.False(filter.Matches(Dims("c", true)));
    }

    [Fact]
    public void A_condition_refuses_values_of_another_type_and_conditions_are_one_per_dimension()
    {
        var view = TypeCatalogs.AllTypes.GetView("by_everything");

        Assert.Throws<ArgumentException>(() => new DimensionCondition(view.Dimensions[1], 1, [FieldValue.FromString("1")]));
        Assert.Throws<ArgumentException>(() => new DimensionCondition(view.Dimensions[1], 1, []));
        var condition = new DimensionCondition(view.Dimensions[1], 1, [FieldValue.FromLong(1)]);
        Assert.Throws<ArgumentException>(() => new DimensionFilter([condition, condition]));
    }

    private static FieldValue[] Dims(string site, bool ok) =>
    [
        FieldValue.FromString(site), FieldValue.FromLong(1), FieldValue.FromDouble(0.5), FieldValue.FromDecimal(1m, Lambda.Shared.Catalog.FieldType.Decimal(9, 3)),
        FieldValue.FromBool(ok), FieldValue.FromTimestamp(0),
    ];
}
