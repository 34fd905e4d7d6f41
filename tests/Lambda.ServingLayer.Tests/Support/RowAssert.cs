using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Compares query rows with groups computed directly, state by state (serialised bytes).</summary>
internal static class RowAssert
{
    /// <summary>
    /// Asserts that <paramref name="actual"/> holds exactly the groups of <paramref name="expected"/> (every dimension
    /// of the view, in view order) with byte-identical states.
    /// </summary>
    public static void Equal(IEnumerable<ViewGroup> expected, IReadOnlyList<ResultRow> actual)
    {
        var want = expected.Order(ViewGroup.KeyComparer).ToArray();
        Assert.Equal(want.Length, actual.Count);
        for (var i = 0; i < want.Length; i++)
        {
            var row = actual[i];
            Assert.Equal(want[i].BucketStartMilliseconds, row.BucketStartMilliseconds);
            Assert.Equal(want[i].Dimensions, row.Dimensions);
            for (var m = 0; m < want[i].States.Count; m++)
            {
                Assert.True(
                    want[i].States[m].ContentEquals(row.States[m]),
                    $"row {i} ({want[i].KeyToString()}) measure {m}: expected {want[i].States[m]}, got {row.States[m]}");
            }
        }
    }

    /// <summary>Asserts that two answers hold the same rows (buckets, dimension values, byte-identical states), in order.</summary>
    public static void Equal(IReadOnlyList<ResultRow> expected, IReadOnlyList<ResultRow> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].BucketStartMilliseconds, actual[i].BucketStartMilliseconds);
            Assert.Equal(expected[i].Dimensions, actual[i].Dimensions);
            for (var m = 0; m < expected[i].States.Count; m++)
            {
                Assert.True(expected[i].States[m].ContentEquals(actual[i].States[m]), $"row {i} measure {m}: expected {expected[i].States[m]}, got {actual[i].States[m]}");
            }
        }
    }
}
