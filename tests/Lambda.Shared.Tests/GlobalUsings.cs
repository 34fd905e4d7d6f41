// The catalog type shares its name with its namespace; an alias keeps references unambiguous inside Lambda.Shared.Tests.*.
global using LambdaCatalog = Lambda.Shared.Catalog.Catalog;
