using System.Text;
using Lambda.ServingLayer.Ingest;

namespace Lambda.ServingLayer.Tests.Ingest;

public sealed class IngestBodyReaderTests
{
    [Theory]
    [InlineData("application/json", IngestFormat.Json)]
    [InlineData("application/json; charset=utf-8", IngestFormat.Json)]
    [InlineData("Application/JSON", IngestFormat.Json)]
    [InlineData("application/vnd.lambda+json", IngestFormat.Json)]
    [InlineData("application/x-ndjson", IngestFormat.NdJson)]
    [InlineData("application/jsonl", IngestFormat.NdJson)]
    public void Json_and_ndjson_media_types_are_recognised(string contentType, IngestFormat expected)
    {
        Assert.True(IngestBodyReader.TryGetFormat(contentType, out var format, out _));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("not a media type")]
    public void Other_media_types_are_415_naming_the_header(string? contentType)
    {
        Assert.False(IngestBodyReader.TryGetFormat(contentType, out _, out var error));
        Assert.Equal(415, error.StatusCode);
        Assert.Equal("Content-Type", error.Parameter);
    }

    [Fact]
    public void A_json_array_is_split_into_its_elements_byte_for_byte()
    {
        var records = Split("\uFEFF [ {\"a\": [1, {\"b\": \"]\"}]} ,\n{ }, 3, \"x\", null ] \n", IngestFormat.Json);

        Assert.Equal(["{\"a\": [1, {\"b\": \"]\"}]}", "{ }", "3", "\"x\"", "null"], records);
    }

    [Fact]
    public void Ndjson_is_split_by_lines_and_blank_lines_are_skipped()
    {
        var records = Split("{\"a\":1}\r\n\n  \n{\"a\":2} \nnot json\n{\"a\":", IngestFormat.NdJson);

        Assert.Equal(["{\"a\":1}", "{\"a\":2}", "not json", "{\"a\":"], records);
    }

    [Fact]
    public void An_application_json_body_of_objects_is_read_as_ndjson()
    {
        Assert.Equal(["{\"a\":1}", "{\"a\":2}"], Split("{\"a\":1}\n{\"a\":2}", IngestFormat.Json));
    }

    [Theory]
    [InlineData("", IngestFormat.Json)]
    [InlineData(" \r\n\t", IngestFormat.NdJson)]
    [InlineData("[{\"a\":1}", IngestFormat.Json)]
    [InlineData("[{\"a\":1},]", IngestFormat.Json)]
    [InlineData("[{\"a\":1}] [", IngestFormat.Json)]
    [InlineData("[1 2]", IngestFormat.Json)]
    [InlineData("\"just a string\"", IngestFormat.Json)]
    [InlineData("42", IngestFormat.Json)]
    public void A_body_that_is_neither_array_nor_ndjson_is_400_naming_the_body(string body, IngestFormat format)
    {
        Assert.False(IngestBodyReader.TrySplit(Encoding.UTF8.GetBytes(body), format, 100, out _, out var error));
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("body", error.Parameter);
    }

    [Theory]
    [InlineData("[1,2,3,4]", IngestFormat.Json)]
    [InlineData("{}\n{}\n{}\n{}", IngestFormat.NdJson)]
    public void More_records_than_allowed_is_413(string body, IngestFormat format)
    {
        Assert.True(IngestBodyReader.TrySplit(Encoding.UTF8.GetBytes(body), format, 4, out _, out _));
        Assert.False(IngestBodyReader.TrySplit(Encoding.UTF8.GetBytes(body), format, 3, out _, out var error));
        Assert.Equal(413, error.StatusCode);
    }

    private static string[] Split(string body, IngestFormat format)
    {
        Assert.True(IngestBodyReader.TrySplit(Encoding.UTF8.GetBytes(body), format, 100, out var records, out var error), error?.Message);
        return records.Select(r => Encoding.UTF8.GetString(r.Span)).ToArray();
    }
}
