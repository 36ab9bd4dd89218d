//! Tables described as data: (name, columns, keys, indexes), each column as
//! (name, type, nullable). Keeping them as data keeps migrations readable.

use sea_orm_migration::prelude::*;

#[derive(Clone, Copy)]
pub enum Kind {
    Id,
    Text(u32),
    LongText,
    Bool,
    Int,
    Float,
    Date,
    Instant,
}

pub const NULL: bool = true;
pub const NOT_NULL: bool = false;

pub type Column = (&'static str, Kind, bool);

pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub primary_key: &'static [&'static str],
    pub unique: &'static [&'static [&'static str]],
    pub indexes: &'static [&'static [&'static str]],
}

pub fn column(name: &'static str, kind: Kind, nullable: bool) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(name));
    match kind {
        Kind::Id => def.string_len(36),
        Kind::Text(n) => def.string_len(n),
        Kind::LongText => def.text(),
        Kind::Bool => def.boolean(),
        Kind::Int => def.integer(),
        Kind::Float => def.double(),
        Kind::Date => def.date(),
        Kind::Instant => def.timestamp_with_time_zone(),
    };
    if nullable {
        def.null();
    } else {
        def.not_null();
    }
    def
}

/// Creates the tables with their keys and indexes, in order.
pub async fn create_tables(manager: &SchemaManager<'_>, tables: &[TableSpec]) -> Result<(), DbErr> {
    for table in tables {
        let mut create = Table::create();
        create.table(Alias::new(table.name));
        for (name, kind, nullable) in table.columns {
            create.col(column(name, *kind, *nullable));
        }
        let mut pk = Index::create();
        for col in table.primary_key {
            pk.col(Alias::new(*col));
        }
        create.primary_key(&mut pk);
        manager.create_table(create).await?;
        for (n, cols) in table.unique.iter().enumerate() {
            let mut index = Index::create();
            index.name(format!("uq_{}_{n}", table.name)).table(Alias::new(table.name)).unique();
            for col in *cols {
                index.col(Alias::new(*col));
            }
            manager.create_index(index).await?;
        }
        for (n, cols) in table.indexes.iter().enumerate() {
            let mut index = Index::create();
            index.name(format!("idx_{}_{n}", table.name)).table(Alias::new(table.name));
            for col in *cols {
                index.col(Alias::new(*col));
            }
            manager.create_index(index).await?;
        }
    }
    Ok(())
}

/// Drops the tables in reverse order.
pub async fn drop_tables(manager: &SchemaManager<'_>, tables: &[TableSpec]) -> Result<(), DbErr> {
    for table in tables.iter().rev() {
        manager.drop_table(Table::drop().table(Alias::new(table.name)).to_owned()).await?;
    }
    Ok(())
}
