// The catalog type shares its name with its namespace.
global using LambdaCatalog = Lambda.Shared.Catalog.Catalog;
