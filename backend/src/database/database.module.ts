import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Database } from './database';

/** Makes the already started (and migrated) database injectable. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(db: Database): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: Database, useValue: db },
        { provide: DataSource, useValue: db.dataSource },
      ],
      exports: [Database, DataSource],
    };
  }
}
